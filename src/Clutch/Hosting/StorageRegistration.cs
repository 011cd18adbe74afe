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
        return services;
    }
}
