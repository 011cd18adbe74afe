using Clutch.Server.Tests.Harness;
using Clutch.Storage;
using Clutch.Storage.Accounts;
using Clutch.Storage.Postgres;
using Clutch.Storage.Sqlite;
using Npgsql;

namespace Clutch.Server.Tests.Storage.Contracts;

/// <summary>One catalog provider instance with its change feed running, as a node holds it.</summary>
public sealed class CatalogNode(ICatalog catalog, ILeases leases, Func<Task> stop) : IAsyncDisposable
{
    public ICatalog Catalog { get; } = catalog;

    public IAccountStore Accounts => (IAccountStore)Catalog;

    public IDeletedFiles Deleted => (IDeletedFiles)Catalog;

    public IFolderIndexCatalog Folder => (IFolderIndexCatalog)Catalog;

    public ILeases Leases { get; } = leases;

    public async ValueTask DisposeAsync() => await stop();
}

/// <summary>
/// Makes the nodes of one shared catalog for the contract tests: <see cref="CreateNodeAsync"/> twice
/// gives two nodes (two processes, or two servers) on the same database.
/// </summary>
public interface ICatalogProvider : IAsyncDisposable
{
    /// <summary>Why this provider cannot be tested here (its server is missing), or null.</summary>
    string? SkipReason { get; }

    Task<CatalogNode> CreateNodeAsync();
}

/// <summary>One SQLite file; every node is another catalog instance on it, as another process would be. One node's leases (a SQLite catalog serves one node).</summary>
public sealed class SqliteProvider : ICatalogProvider
{
    private readonly TempFolder _temp = new();
    private readonly LocalLeases _leases = new();

    public string? SkipReason => null;

    public async Task<CatalogNode> CreateNodeAsync()
    {
        var catalog = new SqliteCatalog(_temp.Combine("catalog.db"));
        await catalog.PollForeignChangesAsync(CancellationToken.None); // notes where the log ends, as the node's feed does at start
        var cts = new CancellationTokenSource();
        var feed = Task.Run(async () =>
        {
            while (!cts.IsCancellationRequested)
            {
                try
                {
                    await catalog.PollForeignChangesAsync(cts.Token);
                    await Task.Delay(100, cts.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
        return new CatalogNode(catalog, _leases, async () =>
        {
            await cts.CancelAsync();
            await feed;
            cts.Dispose();
            catalog.Dispose();
        });
    }

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A fresh database on the test PostgreSQL server, dropped afterwards; every node is a catalog with its own change feed.</summary>
public sealed class PostgresProvider : ICatalogProvider
{
    private readonly string _database = "clutch_test_" + Guid.NewGuid().ToString("N")[..12];
    private bool _created;

    public string? SkipReason => TestServices.SkipUnless(TestServices.Postgres, "CLUTCH_TEST_PG", "PostgreSQL server");

    public string Url => new UriBuilder(TestServices.RequirePostgres()) { Path = "/" + _database }.Uri.ToString();

    public async Task<CatalogNode> CreateNodeAsync()
    {
        if (!_created)
        {
            await AdminAsync($"CREATE DATABASE {_database}");
            _created = true;
        }

        var catalog = new PostgresCatalog(Url);
        await catalog.MigrateAsync(CancellationToken.None);
        var feed = new PostgresChangeFeed(catalog, Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgresChangeFeed>.Instance);
        await feed.StartAsync(CancellationToken.None);
        // The feed notes where the log ends on its first read; wait until it has.
        await Task.Delay(300);
        return new CatalogNode(catalog, new PostgresLeases(catalog), async () =>
        {
            await feed.StopAsync(CancellationToken.None);
            feed.Dispose();
            await catalog.DisposeAsync();
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_created)
        {
            NpgsqlConnection.ClearAllPools();
            await AdminAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        }
    }

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresUrl.ToConnectionString(TestServices.RequirePostgres()));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
