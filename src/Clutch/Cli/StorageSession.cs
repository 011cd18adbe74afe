using Clutch.Hosting;
using Clutch.Storage;
using Clutch.Storage.Accounts;

namespace Clutch.Cli;

/// <summary>
/// The stores a CLI command works on, composed exactly as <c>clutch serve</c> composes them
/// (<see cref="StorageRegistration.AddStorage"/>), without starting any background service.
/// </summary>
public sealed class StorageSession : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private StorageSession(ServiceProvider services, ClutchOptions options)
    {
        _services = services;
        Options = options;
        Catalog = services.GetRequiredService<ICatalog>();
        Accounts = services.GetRequiredService<IAccountStore>();
        DeletedFiles = services.GetRequiredService<IDeletedFiles>();
        Blobs = services.GetRequiredService<IBlobStore>();
    }

    public ClutchOptions Options { get; }

    public ICatalog Catalog { get; }

    public IAccountStore Accounts { get; }

    public IDeletedFiles DeletedFiles { get; }

    public IBlobStore Blobs { get; }

    /// <summary>Composes the stores of <paramref name="options"/> and brings the catalog's schema up to date.</summary>
    public static async Task<StorageSession> OpenAsync(ClutchOptions options, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddStorage(options);
        var provider = services.BuildServiceProvider();
        var session = new StorageSession(provider, options);
        try
        {
            await session.Catalog.MigrateAsync(cancellationToken);
            if (session.Blobs is Storage.S3.S3BlobStore s3)
            {
                await s3.EnsureBucketAsync(cancellationToken);
            }

            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>Index definitions, promotions and the mirror ledger.</summary>
    public Storage.Indexes.IIndexStore IndexStore => _services.GetRequiredService<Storage.Indexes.IIndexStore>();

    /// <summary>Index operations on these stores (see <see cref="Indexes.IndexService"/>).</summary>
    public Indexes.IndexService Indexes() => new(
        IndexStore, Options, Catalog, DeletedFiles, Blobs,
        _services.GetRequiredService<ILoggerFactory>(), TimeProvider.System);

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
