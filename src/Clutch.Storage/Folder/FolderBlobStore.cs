using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace Clutch.Storage.Folder;

/// <summary>
/// The operator's folder is the store: a key is a path relative to <see cref="Root"/>. Writes go to
/// <c>.clutch/tmp/</c> on the same filesystem, are flushed to disk, then renamed into place, so a
/// reader (or the folder indexer) never sees half a file.
/// </summary>
public sealed class FolderBlobStore : IBlobStore
{
    /// <summary>Temporary files of in-flight writes, relative to the root.</summary>
    public const string TempPrefix = ".clutch/tmp/";

    private const int BufferSize = 81920;
    private readonly string _rootWithSeparator;
    private readonly ConcurrentQueue<(string Temp, string Destination)> _staged = new();
    private readonly SemaphoreSlim _publishing = new(1, 1);

    public FolderBlobStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _rootWithSeparator = Root + Path.DirectorySeparatorChar;
        Directory.CreateDirectory(Root);
    }

    /// <summary>The folder, as a full path without a trailing separator.</summary>
    public string Root { get; }

    public string Description => "folder " + Root;

    public Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken)
    {
        // The same stat the folder indexer takes, so that a row written from it records the file as the indexer sees it.
        return Task.FromResult(FileStat.Of(ResolveKey(key)) is { IsRegularFile: true } status
            ? new BlobInfo(key, status.Size, new DateTimeOffset(status.MtimeTicks, TimeSpan.Zero), status.Identity)
            : null);
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = ResolveKey(key);
        try
        {
            // FileShare.Delete: an operator may delete or replace the file while it is being sent.
            Stream stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                BufferSize = BufferSize,
            });
            return Task.FromResult(stream);
        }
        catch (DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"Blob '{key}' does not exist.", path);
        }
    }

    public BlobDownload GetDownload(string key) => BlobDownload.File(ResolveKey(key));

    public async Task<BlobPutResult> PutAsync(string key, Stream content, string sha256, CancellationToken cancellationToken)
    {
        var destination = ResolveKey(key);
        if (File.Exists(destination))
        {
            return await CompareAsync(destination, sha256, cancellationToken);
        }

        var temp = await WriteTempAsync(content, flushToDisk: true, cancellationToken);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            return NoReplaceMove.TryMove(temp, destination) ? BlobPutResult.Stored : await CompareAsync(destination, sha256, cancellationToken);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public async Task<bool> StageAsync(string key, Stream content, string sha256, CancellationToken cancellationToken)
    {
        var destination = ResolveKey(key);
        if (File.Exists(destination))
        {
            return false;
        }

        var temp = await WriteTempAsync(content, flushToDisk: false, cancellationToken);
        _staged.Enqueue((temp, destination));
        return true;
    }

    public async Task PublishStagedAsync(CancellationToken cancellationToken)
    {
        await _publishing.WaitAsync(cancellationToken);
        try
        {
            var staged = new List<(string Temp, string Destination)>(_staged.Count);
            while (_staged.TryDequeue(out var item))
            {
                staged.Add(item);
            }

            if (staged.Count == 0)
            {
                return;
            }

            // Durable first (one filesystem flush for the lot where the OS has one), then visible:
            // after a crash a key holds a whole blob or nothing, never a half-written one.
            DiskFlush.FlushAll(staged.ConvertAll(s => s.Temp));
            foreach (var (temp, destination) in staged)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                if (!NoReplaceMove.TryMove(temp, destination))
                {
                    File.Delete(temp); // the same blob, staged twice or written meanwhile
                }
            }
        }
        finally
        {
            _publishing.Release();
        }
    }

    public async Task<BlobPutResult> PutFileAsync(string key, string localPath, string sha256, CancellationToken cancellationToken)
    {
        var destination = ResolveKey(key);
        var source = Path.GetFullPath(localPath);
        if (!source.StartsWith(_rootWithSeparator, StringComparison.Ordinal))
        {
            // Elsewhere (perhaps another filesystem): copy through a temp file of our own.
            BlobPutResult result;
            await using (var content = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan))
            {
                result = await PutAsync(key, content, sha256, cancellationToken);
            }

            if (result == BlobPutResult.Stored)
            {
                File.Delete(source);
            }

            return result;
        }

        if (File.Exists(destination))
        {
            return await CompareAsync(destination, sha256, cancellationToken);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        try
        {
            // Without overwrite .NET links then unlinks on Unix: exactly one racing writer wins.
            File.Move(source, destination, overwrite: false);
            return BlobPutResult.Stored;
        }
        catch (IOException) when (File.Exists(destination))
        {
            return await CompareAsync(destination, sha256, cancellationToken);
        }
    }

    /// <summary>Whether the file already under a key holds the bytes with <paramref name="sha256"/>.</summary>
    private static async Task<BlobPutResult> CompareAsync(string path, string sha256, CancellationToken cancellationToken)
    {
        try
        {
            await using var existing = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var digest = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(existing, cancellationToken));
            return string.Equals(digest, sha256, StringComparison.OrdinalIgnoreCase) ? BlobPutResult.SameBytes : BlobPutResult.Conflict;
        }
        catch (FileNotFoundException)
        {
            // Deleted meanwhile: the key was taken when the write was refused, and is not the same bytes now.
            return BlobPutResult.Conflict;
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = ResolveKey(key);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // absent: nothing to do
        }

        return Task.CompletedTask;
    }

    /// <summary>Writes <paramref name="content"/> to a new temp file beside the store (same filesystem); its path.</summary>
    private async Task<string> WriteTempAsync(Stream content, bool flushToDisk, CancellationToken cancellationToken)
    {
        var tempDirectory = Path.Combine(Root, ".clutch", "tmp");
        Directory.CreateDirectory(tempDirectory);
        var temp = Path.Combine(tempDirectory, Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            await using var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            await content.CopyToAsync(output, BufferSize, cancellationToken);
            await output.FlushAsync(cancellationToken);
            if (flushToDisk)
            {
                output.Flush(flushToDisk: true);
            }
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        return temp;
    }

    /// <summary>Turns a key into a full path under the root, refusing anything that could escape it.</summary>
    public string ResolveKey(string key)
    {
        BlobKeys.Validate(key);
        var full = Path.GetFullPath(Path.Combine(Root, key));
        if (!full.StartsWith(_rootWithSeparator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Invalid blob key '{key}': resolves outside the store.", nameof(key));
        }

        return full;
    }
}

public static class FolderBlobStoreServiceCollectionExtensions
{
    /// <summary>Registers the folder at <paramref name="root"/> as <see cref="IBlobStore"/> (and as itself).</summary>
    public static IServiceCollection AddFolderBlobStore(this IServiceCollection services, string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        services.AddSingleton(_ => new FolderBlobStore(root));
        services.AddSingleton<IBlobStore>(sp => sp.GetRequiredService<FolderBlobStore>());
        return services;
    }
}
