using Clutch.Server.Tests.Harness;
using Clutch.Storage;
using Clutch.Storage.Accounts;
using Clutch.Storage.Indexes;
using Clutch.Storage.Postgres;
using Clutch.Storage.Sqlite;
using Npgsql;

namespace Clutch.Server.Tests.Storage.Contracts;

/// <summary>One catalog provider instance with its change feed running, as a node (or another process) holds it.</summary>
public sealed class CatalogNode(ICatalog catalog, ILeases leases, Func<Task<int>> schemaVersion, Func<Task> stop) : IAsyncDisposable
{
    public ICatalog Catalog { get; } = catalog;

    public IAccountStore Accounts => (IAccountStore)Catalog;

    public IDeletedFiles Deleted => (IDeletedFiles)Catalog;

    public IFolderIndexCatalog Folder => (IFolderIndexCatalog)Catalog;

    public IIndexStore Indexes => (IIndexStore)Catalog;

    public ILeases Leases { get; } = leases;

    /// <summary>The schema version recorded in the database.</summary>
    public Task<int> SchemaVersionAsync() => schemaVersion();

    public async ValueTask DisposeAsync() => await stop();
}

/// <summary>
/// Makes the nodes of one shared catalog for the contract tests: <see cref="CreateNodeAsync"/> twice
/// gives two nodes (two processes, or two servers) on the same database.
/// </summary>
public interface ICatalogProvider : IAsyncDisposable
{
    /// <summary>The schema version a migrated database records.</summary>
    int LatestSchemaVersion { get; }

    /// <summary>
    /// A new catalog instance on the shared database with its change feed started (it has noted
    /// where the log ends). With <paramref name="migrate"/> false: an instance that has neither
    /// migrated nor started its feed, as a node right after start.
    /// </summary>
    Task<CatalogNode> CreateNodeAsync(bool migrate = true);
}

/// <summary>One SQLite file; every node is another catalog instance on it, as another process would be.</summary>
public sealed class SqliteProvider : ICatalogProvider
{
    private readonly TempFolder _temp = new();

    public int LatestSchemaVersion => SqliteMigrations.Latest;

    public async Task<CatalogNode> CreateNodeAsync(bool migrate = true)
    {
        var catalog = new SqliteCatalog(_temp.Combine("catalog.db"));
        var cts = new CancellationTokenSource();
        var feed = Task.CompletedTask;
        if (migrate)
        {
            await catalog.PollForeignChangesAsync(CancellationToken.None); // migrates and notes where the log ends, as the node's feed does at start
            feed = Task.Run(async () =>
            {
                // SqliteChangeFeedService's loop, a little faster.
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
        }

        return new CatalogNode(catalog, new SqliteLeases(catalog), () => catalog.GetSchemaVersionAsync(CancellationToken.None), async () =>
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
    private readonly SemaphoreSlim _create = new(1, 1);
    private bool _created;

    public string Url => new UriBuilder(TestServices.RequirePostgres()) { Path = "/" + _database }.Uri.ToString();

    public string Database => _database;

    public int LatestSchemaVersion => PostgresMigrations.Latest;

    public async Task<CatalogNode> CreateNodeAsync(bool migrate = true)
    {
        await _create.WaitAsync();
        try
        {
            if (!_created)
            {
                await AdminAsync($"CREATE DATABASE {_database}");
                _created = true;
            }
        }
        finally
        {
            _create.Release();
        }

        var catalog = new PostgresCatalog(Url);
        PostgresChangeFeed? feed = null;
        if (migrate)
        {
            await catalog.MigrateAsync(CancellationToken.None);
            feed = new PostgresChangeFeed(catalog, Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgresChangeFeed>.Instance);
            await feed.StartAsync(CancellationToken.None);
            await feed.Listening.WaitAsync(TimeSpan.FromSeconds(10));
        }

        return new CatalogNode(catalog, new PostgresLeases(catalog), () => catalog.GetSchemaVersionAsync(CancellationToken.None), async () =>
        {
            if (feed is not null)
            {
                await feed.StopAsync(CancellationToken.None);
                feed.Dispose();
            }

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

        _create.Dispose();
    }

    /// <summary>Runs one statement on the server's maintenance database.</summary>
    public static async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresUrl.ToConnectionString(TestServices.RequirePostgres()));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
