using Clutch.Hosting;
using Clutch.Storage;
using Clutch.Storage.Postgres;
using Clutch.Storage.Sqlite;

namespace Clutch.Indexes;

/// <summary>
/// The stores of one index other than the default: its own catalog (a SQLite file beside the default
/// one, or a PostgreSQL schema in the same database) and its part of the shared blob store. Its
/// change feed brings other processes' and nodes' changes of that catalog here, as the default
/// catalog's does.
/// </summary>
public sealed partial class IndexStorage : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private PostgresChangeFeed? _postgresFeed;
    private Task? _sqlitePoll;

    private IndexStorage(string index, ICatalog catalog, IDeletedFiles deleted, IBlobStore blobs, ILogger logger)
    {
        Index = index;
        Catalog = catalog;
        DeletedFiles = deleted;
        Blobs = blobs;
        _logger = logger;
    }

    public string Index { get; }

    public ICatalog Catalog { get; }

    public IDeletedFiles DeletedFiles { get; }

    /// <summary>The index's files and metadata, under its own prefix of the shared store.</summary>
    public IBlobStore Blobs { get; }

    /// <summary>The SQLite file of <paramref name="index"/>'s catalog: beside the default catalog, in <c>indexes/</c>.</summary>
    public static string SqlitePath(ClutchOptions options, string index) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.CatalogPath))!, "indexes", index + ".db");

    /// <summary>The PostgreSQL schema of <paramref name="index"/>'s catalog ('-' becomes '_', which index names never contain).</summary>
    public static string PostgresSchema(string index) => "clutch_ix_" + index.Replace('-', '_');

    /// <summary>Opens (creating when new) the stores of <paramref name="index"/>; the schema is brought up to date.</summary>
    public static async Task<IndexStorage> OpenAsync(string index, ClutchOptions options, IBlobStore sharedBlobs, ILoggerFactory loggers, TimeProvider time, CancellationToken cancellationToken)
    {
        var blobs = new PrefixedBlobStore(sharedBlobs, PrefixedBlobStore.PrefixOf(index));
        var logger = loggers.CreateLogger<IndexStorage>();
        if (options.CatalogIsPostgres)
        {
            var postgres = new PostgresCatalog(options.Catalog!, loggers.CreateLogger<PostgresCatalog>(), time, PostgresSchema(index));
            var storage = new IndexStorage(index, postgres, postgres, blobs, logger);
            try
            {
                await postgres.MigrateAsync(cancellationToken);
                return storage;
            }
            catch
            {
                await storage.DisposeAsync();
                throw;
            }
        }

        var path = SqlitePath(options, index);
        var sqlite = new SqliteCatalog(path, loggers.CreateLogger<SqliteCatalog>(), time);
        var opened = new IndexStorage(index, sqlite, sqlite, blobs, logger);
        try
        {
            await sqlite.MigrateAsync(cancellationToken);
            return opened;
        }
        catch
        {
            await opened.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts following other writers' changes of this catalog (a server does; a CLI command does not).</summary>
    public async Task StartFeedAsync(ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        switch (Catalog)
        {
            case PostgresCatalog postgres:
                _postgresFeed = new PostgresChangeFeed(postgres, loggers.CreateLogger<PostgresChangeFeed>());
                await _postgresFeed.StartAsync(cancellationToken);
                break;
            case SqliteCatalog sqlite:
                await sqlite.PollForeignChangesAsync(cancellationToken); // notes where the log ends
                _sqlitePoll = PollAsync(sqlite, _stopping.Token);
                break;
        }
    }

    /// <summary>
    /// Removes the index's files (each listed file and its metadata) and then its catalog: the SQLite
    /// file, or the PostgreSQL schema. The storage is disposed.
    /// </summary>
    public async Task DestroyAsync(CancellationToken cancellationToken)
    {
        foreach (var file in await Catalog.GetAllFilesAsync(cancellationToken))
        {
            await Blobs.DeleteAsync(file.Path, cancellationToken);
            if (file.MetadataSha256 is not null)
            {
                await Blobs.DeleteAsync(BlobKeys.Metadata(file.Sha256), cancellationToken);
            }
        }

        await StopFeedAsync();
        switch (Catalog)
        {
            case PostgresCatalog postgres:
                await postgres.DropSchemaAsync(cancellationToken);
                await postgres.DisposeAsync();
                break;
            case SqliteCatalog sqlite:
                var path = sqlite.DatabasePath;
                sqlite.Dispose();
                foreach (var suffix in (string[])["", "-wal", "-shm"])
                {
                    File.Delete(path + suffix);
                }

                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopFeedAsync();
        switch (Catalog)
        {
            case IAsyncDisposable disposable:
                await disposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        _stopping.Dispose();
    }

    private async Task StopFeedAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync();
        }

        if (_postgresFeed is not null)
        {
            await _postgresFeed.StopAsync(CancellationToken.None);
            _postgresFeed.Dispose();
            _postgresFeed = null;
        }

        if (_sqlitePoll is not null)
        {
            await _sqlitePoll;
            _sqlitePoll = null;
        }
    }

    private async Task PollAsync(SqliteCatalog catalog, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        var lastPrune = DateTime.UtcNow;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await catalog.PollForeignChangesAsync(stoppingToken);
                    if (DateTime.UtcNow - lastPrune > TimeSpan.FromMinutes(10))
                    {
                        lastPrune = DateTime.UtcNow;
                        await catalog.PruneChangeLogAsync(stoppingToken);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogPollFailed(_logger, Index, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the change log of index {Index} failed: {Reason}")]
    private static partial void LogPollFailed(ILogger logger, string index, string reason);
}
