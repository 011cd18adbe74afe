namespace Clutch.Storage;

/// <summary>What the store knows of one blob; <paramref name="Identity"/> where the store is a local folder.</summary>
public sealed record BlobInfo(string Key, long Size, DateTimeOffset LastModified, FileIdentity Identity = default);

/// <summary>What a create-only write found.</summary>
public enum BlobPutResult
{
    /// <summary>The key was free; the blob is now stored under it.</summary>
    Stored,

    /// <summary>The key already held these very bytes (same sha256); nothing was written.</summary>
    SameBytes,

    /// <summary>The key already held other bytes; nothing was written.</summary>
    Conflict,
}

/// <summary>How a download of a blob is best answered.</summary>
public enum BlobDownloadKind
{
    /// <summary>Send the local file at <see cref="BlobDownload.LocalPath"/> (zero-copy where the OS can).</summary>
    LocalFile,

    /// <summary>Stream the bytes from <see cref="IBlobStore.OpenReadAsync"/>.</summary>
    Stream,

    /// <summary>Redirect the client to <see cref="BlobDownload.Location"/> (a short-lived presigned URL).</summary>
    Redirect,
}

/// <summary>The answer to "how do I send this blob"; see <see cref="IBlobStore.GetDownload"/>.</summary>
public readonly record struct BlobDownload(BlobDownloadKind Kind, string? LocalPath = null, Uri? Location = null)
{
    public static BlobDownload Streamed => new(BlobDownloadKind.Stream);

    public static BlobDownload File(string path) => new(BlobDownloadKind.LocalFile, LocalPath: path);

    public static BlobDownload RedirectTo(Uri location) => new(BlobDownloadKind.Redirect, Location: location);
}

/// <summary>
/// File bytes and extracted metadata, by key ('/'-separated, relative, never containing '..').
/// Blobs are written once: a key never changes bytes (a delete, then a new put, may reuse it). Writes
/// are atomic: a reader never sees half a blob, and a failed write leaves nothing under the key.
/// </summary>
public interface IBlobStore
{
    /// <summary>A short name for logs and health reports ("folder /srv/packages", "s3://bucket/prefix").</summary>
    string Description { get; }

    /// <summary>Metadata of a blob, or null when absent.</summary>
    Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken);

    /// <summary>Opens a blob for reading; throws <see cref="FileNotFoundException"/> when absent.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// How to send <paramref name="key"/> to a client: a local file, a stream, or a redirect. Decided
    /// without I/O (the blob may turn out absent when it is opened).
    /// </summary>
    BlobDownload GetDownload(string key);

    /// <summary>
    /// Stores <paramref name="content"/> under <paramref name="key"/> unless the key is taken, in which
    /// case nothing is written and the result says whether the stored bytes are the same
    /// (<paramref name="sha256"/>, lowercase hex, is the digest of <paramref name="content"/>).
    /// </summary>
    Task<BlobPutResult> PutAsync(string key, Stream content, string sha256, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="PutAsync"/> from a finished local file (already flushed to disk), which is removed
    /// when stored. The folder store renames when the file is on its filesystem, so a large upload is
    /// not copied twice; an object store streams it.
    /// </summary>
    async Task<BlobPutResult> PutFileAsync(string key, string localPath, string sha256, CancellationToken cancellationToken)
    {
        BlobPutResult result;
        await using (var content = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan))
        {
            result = await PutAsync(key, content, sha256, cancellationToken);
        }

        if (result == BlobPutResult.Stored)
        {
            System.IO.File.Delete(localPath);
        }

        return result;
    }

    /// <summary>
    /// Writes a blob that becomes durable and visible under <paramref name="key"/> only at the next
    /// <see cref="PublishStagedAsync"/>: for a bulk writer (the folder indexer's metadata files) that
    /// would otherwise wait for one disk flush per blob. False when the key already exists. A store
    /// without a cheaper way writes at once.
    /// </summary>
    async Task<bool> StageAsync(string key, Stream content, string sha256, CancellationToken cancellationToken) =>
        await PutAsync(key, content, sha256, cancellationToken) == BlobPutResult.Stored;

    /// <summary>Makes every blob staged so far durable, then visible under its key (never the other way round).</summary>
    Task PublishStagedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deletes a blob; no error when absent.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Whether the store answers (for /health/ready); the reason when it does not.</summary>
    Task<string?> CheckAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
