using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clutch.Storage.S3;

public static class S3BlobStoreServiceCollectionExtensions
{
    /// <summary>Registers the S3 store as <see cref="IBlobStore"/> (and as itself); its bucket is created at start when missing.</summary>
    public static IServiceCollection AddS3BlobStore(this IServiceCollection services, S3BlobStoreOptions options)
    {
        services.AddSingleton(sp => new S3BlobStore(options, sp.GetService<ILogger<S3BlobStore>>()));
        services.AddSingleton<IBlobStore>(sp => sp.GetRequiredService<S3BlobStore>());
        services.AddHostedService<S3BucketService>();
        return services;
    }
}

/// <summary>Makes sure the bucket exists before the node answers.</summary>
internal sealed class S3BucketService(S3BlobStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.EnsureBucketAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
