using Clutch.Health;
using Clutch.Storage.Folder;
using Clutch.Storage.Sqlite;

namespace Clutch.Hosting;

/// <summary>Chooses the storage providers from the options (folder + SQLite by default).</summary>
public static class StorageRegistration
{
    public static IServiceCollection AddStorage(this IServiceCollection services, ClutchOptions options)
    {
        services.AddSqliteCatalog(options.CatalogPath);
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
}
