using System.Collections.Concurrent;
using Clutch.Files;
using Clutch.Hosting;
using Clutch.Http;
using Clutch.Mirror;
using Clutch.Packaging;
using Clutch.Pages;
using Clutch.Storage;
using Clutch.Storage.Indexes;
using Clutch.Upload;

namespace Clutch.Indexes;

/// <summary>
/// Downloads from a mirror index: a file (or its PEP 658 metadata) is fetched from the upstream on
/// its first request, verified against the sha256 the upstream listed, kept in the index's part of
/// the blob store and recorded in the mirror ledger; from then on it is served like any stored file,
/// also while the upstream is down. Concurrent requests for one file make one upstream fetch. A file
/// that is not kept yet while the upstream is down is 502 (unreachable) or 504 (timed out) at once.
/// </summary>
public sealed partial class MirrorFiles(
    UpstreamClient client,
    IIndexStore store,
    MirrorCache cache,
    UploadTempFiles temp,
    CacheHeaders cacheHeaders,
    SmallFileCache smallFiles,
    StaleFiles stale,
    TimeProvider time,
    ILogger<MirrorFiles> logger)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<BlobInfo>>> _fetching = new(StringComparer.Ordinal);

    /// <summary>Answers <c>/{index}/files/{key}</c> (or <c>{key}.metadata</c>) of a mirror index.</summary>
    public async Task ServeAsync(HttpContext context, IndexRuntime index, MirrorProjectSource mirror, string key)
    {
        if (!UrlKeys.IsSafe(key))
        {
            await PlainText.WriteAsync(context, StatusCodes.Status400BadRequest, $"Bad file path '{ProjectUrl.Show(key)}'.\n");
            return;
        }

        var wantsMetadata = key.EndsWith(FileEndpoints.MetadataSuffix, StringComparison.Ordinal);
        var fileKey = wantsMetadata ? key[..^FileEndpoints.MetadataSuffix.Length] : key;
        var slash = fileKey.IndexOf('/');
        if (slash <= 0 || fileKey.IndexOf('/', slash + 1) >= 0 || !ProjectName.IsCanonical(fileKey.AsSpan(0, slash)))
        {
            await NotFoundAsync(context, key);
            return;
        }

        var detail = await index.Cache.GetDetailAsync(ProjectName.Normalize(fileKey[..slash]));
        var listed = detail.Files.FirstOrDefault(f => f.FromIndex is null && f.Path == fileKey);
        if (listed is null || (wantsMetadata && listed.MetadataSha256 is null) || !mirror.TryGetUpstreamFile(fileKey, out var upstream))
        {
            await NotFoundAsync(context, key);
            return;
        }

        var blobKey = wantsMetadata ? BlobKeys.Metadata(listed.Sha256) : fileKey;
        BlobInfo info;
        try
        {
            info = await index.Blobs.GetInfoAsync(blobKey, context.RequestAborted)
                ?? await FetchAsync(index, mirror, blobKey, wantsMetadata ? upstream.Url + FileEndpoints.MetadataSuffix : upstream.Url, wantsMetadata ? listed.MetadataSha256! : listed.Sha256);
        }
        catch (UpstreamUnavailableException e)
        {
            var status = e.TimedOut ? StatusCodes.Status504GatewayTimeout : e.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status502BadGateway;
            await PlainText.WriteAsync(context, status, $"Index '{index.Name}' could not fetch '{ProjectUrl.Show(key)}' from its upstream: {e.Message}\n");
            return;
        }
        catch (UpstreamIntegrityException e)
        {
            await PlainText.WriteAsync(context, StatusCodes.Status502BadGateway, $"Index '{index.Name}' refused '{ProjectUrl.Show(key)}' from its upstream: {e.Message}\n");
            return;
        }

        cache.Touch(index.Name, blobKey);
        // Served as a stored file: the size and identity are the kept blob's, the hashes the listing's.
        // (An upstream that gave no upload time: the time the file was kept, for Last-Modified.)
        var download = new FileDownload(listed with
        {
            Size = wantsMetadata ? listed.Size : info.Size,
            SourceIdentity = info.Identity,
            SourceMtimeTicks = info.LastModified.UtcTicks,
            UploadTime = listed.UploadTime == default ? info.LastModified : listed.UploadTime,
        });
        var result = await FileEndpoints.AnswerAsync(key, fileKey, download, wantsMetadata, context, index.Blobs, cacheHeaders, smallFiles, stale);
        await result.ExecuteAsync(context);
    }

    /// <summary>One upstream fetch per key at a time on this node: every concurrent request awaits the same one.</summary>
    private Task<BlobInfo> FetchAsync(IndexRuntime index, MirrorProjectSource mirror, string blobKey, string url, string sha256)
    {
        var flightKey = index.Name + "/" + blobKey;
        var flight = _fetching.GetOrAdd(flightKey, _ => new Lazy<Task<BlobInfo>>(() => FetchOnceAsync(index, mirror, blobKey, url, sha256)));
        return AwaitAndForgetAsync(flightKey, flight);
    }

    private async Task<BlobInfo> AwaitAndForgetAsync(string flightKey, Lazy<Task<BlobInfo>> flight)
    {
        try
        {
            return await flight.Value;
        }
        finally
        {
            _fetching.TryRemove(new KeyValuePair<string, Lazy<Task<BlobInfo>>>(flightKey, flight));
        }
    }

    private async Task<BlobInfo> FetchOnceAsync(IndexRuntime index, MirrorProjectSource mirror, string blobKey, string url, string sha256)
    {
        await Task.Yield();
        if (await index.Blobs.GetInfoAsync(blobKey, CancellationToken.None) is { } there)
        {
            return there; // fetched by a request that finished just before this one began
        }

        var path = temp.NewPath();
        try
        {
            long size;
            var started = time.GetTimestamp();
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                // Not tied to one request: the other waiters (and the cache) want the file even if the first client goes away.
                size = await client.DownloadAsync(mirror.Upstream, url, sha256, file, CancellationToken.None);
                await file.FlushAsync();
                file.Flush(flushToDisk: true);
            }

            await index.Blobs.PutFileAsync(blobKey, path, sha256, CancellationToken.None);
            await store.AddMirrorFileAsync(new MirrorFile(index.Name, blobKey, size, time.GetUtcNow()), CancellationToken.None);
            LogFetched(logger, index.Name, blobKey, size, time.GetElapsedTime(started).TotalMilliseconds);
            await cache.EnforceAsync(CancellationToken.None);
            return await index.Blobs.GetInfoAsync(blobKey, CancellationToken.None)
                ?? throw new UpstreamUnavailableException($"'{blobKey}' was fetched but is gone from the cache already", "cache");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Task NotFoundAsync(HttpContext context, string key) =>
        PlainText.WriteAsync(context, StatusCodes.Status404NotFound, $"No file '{ProjectUrl.Show(key)}' in this index.\n");

    [LoggerMessage(Level = LogLevel.Information, Message = "Index {Index}: fetched {Key} ({Size} bytes) from upstream in {Milliseconds:F0} ms")]
    private static partial void LogFetched(ILogger logger, string index, string key, long size, double milliseconds);
}
