using System.Diagnostics.CodeAnalysis;
using Clutch.Hosting;
using Clutch.Packaging;
using Clutch.Pages;
using Clutch.Storage;
using Clutch.Storage.Folder;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Microsoft.Win32.SafeHandles;

namespace Clutch.Files;

/// <summary>
/// File downloads under <c>/files/{key}</c> and PEP 658 metadata under <c>/files/{key}.metadata</c>.
/// Only files the catalog knows are served; bytes are immutable per key, so they cache for a year.
/// </summary>
public static class FileEndpoints
{
    public const string MetadataSuffix = ".metadata";

    public static IEndpointRouteBuilder MapFiles(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/files/{**key}", [HttpMethods.Get, HttpMethods.Head], ServeAsync);
        return routes;
    }

    /// <summary>Answers one file or metadata request; also called by <see cref="Pages.PageFastPath"/> before routing.</summary>
    public static async Task<IResult> ServeAsync(string? key, HttpContext context, FileLocator locator, IBlobStore blobs, CacheHeaders cache, SmallFileCache smallFiles, StaleFiles stale)
    {
        if (key is null || !UrlKeys.IsSafe(key))
        {
            return TypedResults.Text($"Bad file path '{key}'.\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }

        var wantsMetadata = key.EndsWith(MetadataSuffix, StringComparison.Ordinal);
        var fileKey = wantsMetadata ? key[..^MetadataSuffix.Length] : key;
        var file = await locator.FindAsync(fileKey, context.RequestAborted);
        if (file is null || (wantsMetadata && !file.HasMetadata))
        {
            return TypedResults.Text($"No file '{key}' in this index.\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
        }

        return await AnswerAsync(key, fileKey, file, wantsMetadata, context, blobs, cache, smallFiles, stale);
    }

    /// <summary>
    /// Answers for a file already found under <paramref name="fileKey"/> (its bytes, or with
    /// <paramref name="wantsMetadata"/> its PEP 658 metadata; <paramref name="key"/> is what was asked
    /// for). <see cref="Pages.PageFastPath"/> calls this directly for a download it has just looked up.
    /// </summary>
    public static async Task<IResult> AnswerAsync(
        string key, string fileKey, FileDownload file, bool wantsMetadata, HttpContext context, IBlobStore blobs, CacheHeaders cache, SmallFileCache smallFiles, StaleFiles stale)
    {
        var blobKey = wantsMetadata ? BlobKeys.Metadata(file.Sha256) : fileKey;
        var contentType = wantsMetadata ? "text/plain; charset=utf-8" : ContentTypes.For(fileKey);
        context.Response.Headers.CacheControl = cache.Files;

        var small = !wantsMetadata && SmallFileResult.Applies(context.Request, file.Size);
        if (small && file.Cached is { } cached)
        {
            // Held in memory: no path to build, nothing to read.
            return new SmallFileResult(null, file, cached, contentType, smallFiles, stale, fileKey);
        }

        var download = blobs.GetDownload(blobKey);
        if (download.Kind == BlobDownloadKind.Redirect)
        {
            // A short-lived presigned URL: the client must come back here for a fresh one.
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Redirect(download.Location!.AbsoluteUri);
        }

        if (download is { Kind: BlobDownloadKind.LocalFile, LocalPath: { } local })
        {
            if (small)
            {
                // The common download: checked against the listed size while it is read, no separate stat.
                return new SmallFileResult(local, file, null, contentType, smallFiles, stale, fileKey);
            }

            var etag = EntityTagHeaderValue.Parse(file.ETag(wantsMetadata));
            if (wantsMetadata)
            {
                return File.Exists(local)
                    ? TypedResults.PhysicalFile(local, contentType, lastModified: file.UploadTime, entityTag: etag, enableRangeProcessing: true)
                    : Reindexing(context, key);
            }

            // Opened here and checked on the open handle (one fstat, no second path lookup): the bytes
            // sent come from the very file that was checked, never from one put in its place after.
            SafeFileHandle handle;
            try
            {
                handle = File.OpenHandle(local, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                return stale.Changed(context, fileKey);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return stale.Unreadable(context, fileKey, ex);
            }

            if (!file.IsListed(FileStat.Of(handle)))
            {
                handle.Dispose();
                return stale.Changed(context, fileKey);
            }

            var checkedFile = new FileStream(handle, FileAccess.Read, bufferSize: 0);
            return TypedResults.Stream(checkedFile, contentType, lastModified: file.UploadTime, entityTag: etag, enableRangeProcessing: true);
        }

        Stream stream;
        try
        {
            stream = await blobs.OpenReadAsync(blobKey, context.RequestAborted);
        }
        catch (FileNotFoundException)
        {
            return MissingFromStore(context, key);
        }

        if (small)
        {
            // Read whole, checked against the listed sha256, and held like a local small file: the
            // next download of it does not go to the store.
            await using (stream)
            {
                return await SmallFileResult.FromStreamAsync(stream, file, contentType, smallFiles, key, context);
            }
        }

        return TypedResults.Stream(stream, contentType, lastModified: file.UploadTime, entityTag: EntityTagHeaderValue.Parse(file.ETag(wantsMetadata)), enableRangeProcessing: stream.CanSeek);
    }

    /// <summary>Listed but not in the store: a store restored from an older copy, or a migration under way.</summary>
    internal static IResult MissingFromStore(HttpContext context, string key)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.RetryAfter = "5";
        return TypedResults.Text($"File '{key}' is listed but its bytes are missing from the blob store.\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>
    /// The file changed on disk and is not yet re-indexed: never serve bytes that disagree with the
    /// listed hash; ask the client to come back in a second.
    /// </summary>
    internal static IResult Reindexing(HttpContext context, string key)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.RetryAfter = "1";
        return TypedResults.Text($"File '{key}' is being re-indexed.\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

/// <summary>Finds a catalog file by key from the page cache, falling back to the catalog.</summary>
public sealed class FileLocator(PageCache cache, ICatalog catalog)
{
    /// <summary>
    /// The download record of <c>{project}/{filename}</c> when the project's snapshot is built and
    /// the folder is already a normalized name: a lookup by span, allocating nothing. False means
    /// "ask <see cref="FindAsync"/>", not "absent".
    /// </summary>
    public bool TryFindBuilt(ReadOnlySpan<char> key, [NotNullWhen(true)] out FileDownload? download)
    {
        var slash = key.IndexOf('/');
        if (slash > 0 && key.LastIndexOf('/') == slash && ProjectName.IsCanonical(key[..slash])
            && cache.TryGetBuiltProject(key[..slash], out var snapshot))
        {
            return snapshot.TryGetDownload(key, out download);
        }

        download = null;
        return false;
    }

    public async Task<FileDownload?> FindAsync(string key, CancellationToken cancellationToken)
    {
        var slash = key.LastIndexOf('/');
        if (slash > 0 && key.IndexOf('/') == slash)
        {
            // The usual layout, {project}/{filename}: one cached lookup, no filename parsing.
            var byFolder = await cache.GetProjectAsync(ProjectName.Normalize(key[..slash]));
            if (byFolder.Downloads.TryGetValue(key, out var direct))
            {
                return direct;
            }
        }

        var filename = key[(slash + 1)..];
        ProjectName? folder = slash > 0 ? ProjectName.Normalize(key[(key.LastIndexOf('/', slash - 1) + 1)..slash]) : null;
        if (DistributionFilename.TryParse(filename, folder, out var parsed, out _))
        {
            var snapshot = await cache.GetProjectAsync(parsed!.Project);
            if (snapshot.Downloads.TryGetValue(key, out var hit))
            {
                return hit;
            }
        }

        var found = await catalog.FindFileAsync(filename, cancellationToken);
        return found is not null && string.Equals(found.Path, key, StringComparison.Ordinal) ? new FileDownload(found) : null;
    }
}

/// <summary>Content types of distribution files.</summary>
public static class ContentTypes
{
    public static string For(ReadOnlySpan<char> filename)
    {
        if (filename.EndsWith(".whl", StringComparison.OrdinalIgnoreCase) || filename.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)
            || filename.EndsWith(".egg", StringComparison.OrdinalIgnoreCase))
        {
            return "application/zip";
        }

        if (filename.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || filename.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase))
        {
            return "application/gzip";
        }

        if (filename.EndsWith(".tar.bz2", StringComparison.OrdinalIgnoreCase))
        {
            return "application/x-bzip2";
        }

        return filename.EndsWith(".tar.xz", StringComparison.OrdinalIgnoreCase) ? "application/x-xz" : "application/octet-stream";
    }
}
