using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Clutch.Storage.Folder;

public static class FolderIndexerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the folder indexer and its hosted service, plus <see cref="IndexerStatus"/> for
    /// readiness. Needs an <see cref="ICatalog"/> and an <see cref="IBlobStore"/> (for metadata blobs).
    /// </summary>
    public static IServiceCollection AddFolderIndexer(this IServiceCollection services, FolderIndexerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return services.AddFolderIndexer(o =>
        {
            o.Root = options.Root;
            o.ReconcileInterval = options.ReconcileInterval;
            o.Debounce = options.Debounce;
            o.MaxDebounceDelay = options.MaxDebounceDelay;
            o.SettleTime = options.SettleTime;
            o.ArchiveQuietPeriod = options.ArchiveQuietPeriod;
            o.BatchSize = options.BatchSize;
            o.MaxParallelism = options.MaxParallelism;
            o.WaitForColdScan = options.WaitForColdScan;
            o.Watch = options.Watch;
        });
    }

    /// <summary>Registers the folder indexer, configuring its options in code (configuration binding still applies).</summary>
    public static IServiceCollection AddFolderIndexer(this IServiceCollection services, Action<FolderIndexerOptions> configure)
    {
        services.AddOptions<FolderIndexerOptions>().Configure(configure);
        services.TryAddSingleton<IndexerStatus>();
        services.TryAddSingleton<IndexerHints>();
        services.TryAddSingleton<FolderIndexer>();
        services.TryAddSingleton<FolderIndexerService>();
        services.AddHostedService(sp => sp.GetRequiredService<FolderIndexerService>());
        return services;
    }
}
