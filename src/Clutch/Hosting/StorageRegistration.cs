using Clutch.Storage;

namespace Clutch.Hosting;

/// <summary>Chooses the storage providers from the options (folder + SQLite by default).</summary>
public static class StorageRegistration
{
    public static IServiceCollection AddStorage(this IServiceCollection services, ClutchOptions options)
    {
        // Wired to the providers in Clutch.Storage once they land.
        _ = options;
        return services;
    }
}
