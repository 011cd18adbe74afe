using Clutch.Storage;

namespace Clutch.Indexes;

/// <summary>
/// One index's part of the shared blob store: every key lives under <c>.clutch/indexes/{index}/</c>
/// (the store's private area, which the folder indexer never lists), so an index stores its files
/// and metadata exactly as the default index does, under the same keys, without meeting the others'.
/// </summary>
public sealed class PrefixedBlobStore(IBlobStore inner, string prefix) : IBlobStore
{
    /// <summary>Where the files of local index <paramref name="index"/> are kept.</summary>
    public static string PrefixOf(string index) => BlobKeys.PrivatePrefix + "indexes/" + index + "/";

    public string Prefix { get; } = prefix;

    public string Description => inner.Description + " (" + Prefix + ")";

    public Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken) => InfoAsync(key, cancellationToken);

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(Key(key), cancellationToken);

    public BlobDownload GetDownload(string key) => inner.GetDownload(Key(key));

    public Task<BlobPutResult> PutAsync(string key, Stream content, string sha256, CancellationToken cancellationToken) =>
        inner.PutAsync(Key(key), content, sha256, cancellationToken);

    public Task<BlobPutResult> PutFileAsync(string key, string localPath, string sha256, CancellationToken cancellationToken) =>
        inner.PutFileAsync(Key(key), localPath, sha256, cancellationToken);

    public Task<bool> StageAsync(string key, Stream content, string sha256, CancellationToken cancellationToken) =>
        inner.StageAsync(Key(key), content, sha256, cancellationToken);

    public Task PublishStagedAsync(CancellationToken cancellationToken) => inner.PublishStagedAsync(cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(Key(key), cancellationToken);

    public Task<string?> CheckAsync(CancellationToken cancellationToken) => inner.CheckAsync(cancellationToken);

    private string Key(string key)
    {
        BlobKeys.Validate(key);
        return Prefix + key;
    }

    private async Task<BlobInfo?> InfoAsync(string key, CancellationToken cancellationToken) =>
        await inner.GetInfoAsync(Key(key), cancellationToken) is { } info ? info with { Key = key } : null;
}
