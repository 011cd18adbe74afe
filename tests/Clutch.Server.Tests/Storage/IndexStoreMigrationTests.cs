using Clutch.Server.Tests.Harness;
using Clutch.Server.Tests.Storage.Contracts;
using Clutch.Storage.Indexes;
using Clutch.Storage.Postgres;
using Clutch.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Clutch.Server.Tests.Storage;

/// <summary>A catalog made before the index tables existed gains them and keeps what it had.</summary>
public sealed class IndexStoreMigrationTests
{
    private const string InsertUser = "INSERT INTO users (name, password_hash, is_admin, created) VALUES ('alice', 'hash', {0}, 42)";

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task A_sqlite_catalog_of_the_previous_version_gains_the_index_tables_and_keeps_its_data()
    {
        using var temp = new TempFolder();
        var path = temp.Combine("catalog.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = string.Join("\n", SqliteMigrations.All.Where(m => m.Version < 7).Select(m => m.Sql))
                + string.Format(System.Globalization.CultureInfo.InvariantCulture, InsertUser, 0) + "; PRAGMA user_version = 6;";
            await command.ExecuteNonQueryAsync(Ct);
        }

        using var catalog = new SqliteCatalog(path);
        await AssertUpgradedAsync(catalog, catalog, () => catalog.GetSchemaVersionAsync(Ct), SqliteMigrations.Latest);
    }

    [PostgresFact]
    public async Task A_postgres_catalog_of_the_previous_version_gains_the_index_tables_and_keeps_its_data()
    {
        await using var provider = new PostgresProvider();
        await using var node = await provider.CreateNodeAsync(migrate: false); // creates the database, touches nothing in it
        await using (var connection = new NpgsqlConnection(PostgresUrl.ToConnectionString(provider.Url) + ";Pooling=false"))
        {
            await connection.OpenAsync(Ct);
            var sql = string.Join("\n", PostgresMigrations.All.Where(m => m.Version < 3).Select(m => m.Sql))
                + "; CREATE TABLE clutch_schema (version integer NOT NULL); INSERT INTO clutch_schema (version) VALUES (2); "
                + string.Format(System.Globalization.CultureInfo.InvariantCulture, InsertUser, "true");
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(Ct);
        }

        var catalog = (PostgresCatalog)node.Catalog;
        await AssertUpgradedAsync(catalog, catalog, node.SchemaVersionAsync, PostgresMigrations.Latest);
    }

    /// <summary>Reading through the catalog migrates it: the old user is there and the index tables work.</summary>
    private static async Task AssertUpgradedAsync(Clutch.Storage.Accounts.IAccountStore accounts, IIndexStore indexes, Func<Task<int>> version, int expected)
    {
        Assert.Equal("hash", (await accounts.FindUserAsync("alice", Ct))?.PasswordHash);
        Assert.Empty(await indexes.ListIndexesAsync(Ct));
        Assert.True(await indexes.CreateIndexAsync(new IndexDefinition("team", null, [""], TimeSpan.FromMinutes(1), false, [], DateTimeOffset.UnixEpoch, null), Ct));
        Assert.Equal(["team"], (await indexes.ListIndexesAsync(Ct)).Select(i => i.Name));
        Assert.Equal(expected, await version());
    }
}
