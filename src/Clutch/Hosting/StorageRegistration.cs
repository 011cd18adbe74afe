using Clutch.Health;
using Clutch.Storage.Folder;
using Clutch.Storage.Postgres;
using Clutch.Storage.S3;
using Clutch.Storage.Sqlite;

namespace Clutch.Hosting;

/// <summary>
/// Chooses the storage providers from the options, for the server and for every CLI command alike:
/// the catalog (SQLite file or PostgreSQL URL) and the blobs (the package folder or S3). Folder
/// blobs bring the folder indexer, which lists files put into the folder by hand.
/// </summary>
public static class StorageRegistration
{
    public static IServiceCollection AddStorage(this IServiceCollection services, ClutchOptions options)
    {
        options.ResolveStorage();
        if (options.CatalogIsPostgres)
        {
            services.AddPostgresCatalog(options.Catalog!);
            services.AddSingleton<IReadinessCheck, ChangeFeedReadiness>();
        }
        else
        {
            services.AddSqliteCatalog(options.CatalogPath);
            services.AddSingleton<IReadinessCheck, SqliteChangeFeedReadiness>();
        }

        if (!options.BlobsInFolder)
        {
            services.AddS3BlobStore(S3BlobStoreOptions.Parse(options.Blobs!, options.S3Endpoint) with { RedirectDownloads = options.BlobsRedirect });
            services.AddHostedService<S3BucketService>();
            return services;
        }

        services.AddFolderBlobStore(options.Root);
        services.AddFolderIndexer(o =>
        {
            o.Root = options.Root;
            o.ReconcileInterval = TimeSpan.FromSeconds(Math.Max(1, options.ReconcileSeconds));
        });
        services.AddSingleton<IReadinessCheck, IndexerReadiness>();
        return services;
    }

    private sealed class IndexerReadiness(IndexerStatus status) : IReadinessCheck
    {
        public bool IsReady(out string reason)
        {
            reason = status.IsReady ? "" : "the first scan of the package folder is still running";
            return status.IsReady;
        }
    }

    private sealed class ChangeFeedReadiness(PostgresChangeFeed feed) : IReadinessCheck
    {
        public bool IsReady(out string reason)
        {
            reason = feed.IsListening ? "" : "the PostgreSQL change feed is not listening yet";
            return feed.IsListening;
        }
    }

    private sealed class SqliteChangeFeedReadiness(SqliteCatalog catalog) : IReadinessCheck
    {
        public bool IsReady(out string reason)
        {
            reason = catalog.TracksForeignChanges ? "" : "the catalog's change log is not read yet";
            return catalog.TracksForeignChanges;
        }
    }

    /// <summary>Creates the bucket before the node answers when it does not exist yet (a fresh MinIO or test server).</summary>
    private sealed class S3BucketService(S3BlobStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.EnsureBucketAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
