namespace Clutch.Storage;

/// <summary>What the store knows of one blob; <paramref name="Identity"/> where the store is a local folder.</summary>
public sealed record BlobInfo(string Key, long Size, DateTimeOffset LastModified, FileIdentity Identity = default);

/// <summary>
/// File bytes and extracted metadata, by key ('/'-separated, relative, never containing '..').
/// Writes are atomic: a reader never sees half a blob.
/// </summary>
public interface IBlobStore
{
    /// <summary>Metadata of a blob, or null when absent.</summary>
    Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken);

    /// <summary>Opens a blob for reading; throws <see cref="FileNotFoundException"/> when absent.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>A local file path for zero-copy sends (folder store), or null (object store).</summary>
    string? GetLocalPath(string key);

    /// <summary>Writes a blob atomically (temp + fsync + rename). Overwrites unless <paramref name="overwrite"/> is false, in which case returns false when the key exists.</summary>
    Task<bool> PutAsync(string key, Stream content, bool overwrite, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a finished local file (already flushed to disk) under <paramref name="key"/>, atomically,
    /// and removes the local file on success. Same overwrite rule as <see cref="PutAsync"/>. The folder
    /// store renames when the file is on its filesystem, so a large upload is not copied twice.
    /// </summary>
    async Task<bool> PutFileAsync(string key, string localPath, bool overwrite, CancellationToken cancellationToken)
    {
        bool stored;
        await using (var content = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan))
        {
            stored = await PutAsync(key, content, overwrite, cancellationToken);
        }

        if (stored)
        {
            File.Delete(localPath);
        }

        return stored;
    }

    /// <summary>
    /// Writes a blob that becomes durable and visible under <paramref name="key"/> only at the next
    /// <see cref="PublishStagedAsync"/>: for a bulk writer (the folder indexer's metadata files) that
    /// would otherwise wait for one disk flush per blob. False when the key already exists. A store
    /// without a cheaper way writes at once.
    /// </summary>
    Task<bool> StageAsync(string key, Stream content, CancellationToken cancellationToken) =>
        PutAsync(key, content, overwrite: false, cancellationToken);

    /// <summary>Makes every blob staged so far durable, then visible under its key (never the other way round).</summary>
    Task PublishStagedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deletes a blob; no error when absent.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);
}
