using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Clutch.Tuning;

/// <summary>
/// Every runtime tuning of a Clutch node, registered in one place and turned off as one
/// (<c>"RuntimeTuning": false</c> in the config file, or <c>CLUTCH_RUNTIMETUNING=false</c>): the
/// handlers read the same with or without it. None of it changes an answer; it changes how memory
/// and threads are used under load.
/// </summary>
public static class RuntimeTuning
{
    /// <summary>
    /// What must happen before the process opens its first socket or file in bulk;
    /// <paramref name="storesOnNetwork"/>: the catalog is PostgreSQL or the blobs are in S3.
    /// </summary>
    public static void BeforeStart(bool enabled, bool storesOnNetwork)
    {
        if (!enabled)
        {
            return;
        }

        SocketCompletions.PreferInline(storesOnNetwork);
        OpenFileLimit.Raise();
    }

    /// <summary>The services: Kestrel's buffer pool, the native heap trimmer, the idle collector.</summary>
    public static IServiceCollection AddRuntimeTuning(this IServiceCollection services, bool enabled)
    {
        if (!enabled)
        {
            return services;
        }

        // Kestrel's connection buffers in 64 KB blocks: replaces the pool factory Kestrel registers.
        services.Replace(ServiceDescriptor.Singleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>());
        services.AddHostedService<NativeHeapTrimmer>();
        services.AddHostedService<IdleCollector>();
        return services;
    }
}
