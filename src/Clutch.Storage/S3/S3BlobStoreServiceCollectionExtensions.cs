using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Clutch.Storage.S3;

public static class S3BlobStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the S3 bucket of <paramref name="options"/> as <see cref="IBlobStore"/> (and as
    /// itself, for <see cref="S3BlobStore.EnsureBucketAsync"/> at startup).
    /// </summary>
    public static IServiceCollection AddS3BlobStore(this IServiceCollection services, S3BlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(sp => new S3BlobStore(options, sp.GetService<ILogger<S3BlobStore>>()));
        services.AddSingleton<IBlobStore>(sp => sp.GetRequiredService<S3BlobStore>());
        return services;
    }
}
