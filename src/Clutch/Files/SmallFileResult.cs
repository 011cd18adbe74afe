using System.Buffers;
using Clutch.Hosting;
using Clutch.Storage.Folder;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Clutch.Files;

/// <summary>
/// A whole small file for a plain GET or HEAD (no range, no condition): the headers the physical
/// file result would send, and the bytes — from memory when the <see cref="SmallFileCache"/> holds
/// them, otherwise read synchronously (open, one read, an fstat of the open handle, close: no path
/// stat, no stream, no thread-pool hop). The read asks for one byte more than the listed size, and the
/// fstat after it compares size, inode and ctime with the listing, so a file changed on disk and not
/// yet re-indexed (even to other bytes of the same size, its mtime put back) is answered with 503
/// instead of bytes that disagree with the listing; only bytes that passed are ever held.
/// Anything else (ranges, conditionals, large files) takes the general path.
/// </summary>
internal sealed class SmallFileResult(
    string? path, FileDownload file, FileDownload.CachedBytes? cached, string contentType, SmallFileCache cache, StaleFiles stale, string key) : IResult
{
    /// <summary>Largest file answered this way.</summary>
    private const long MaxLength = SmallFileCache.MaxLength;

    private static readonly StringValues BytesValue = new("bytes");

    /// <summary>True when the request asks for the whole file, unconditionally.</summary>
    public static bool Applies(HttpRequest request, long length)
    {
        if (length > MaxLength)
        {
            return false;
        }

        var h = request.Headers;
        return h.Range.Count == 0 && h.IfNoneMatch.Count == 0 && h.IfModifiedSince.Count == 0
            && h.IfMatch.Count == 0 && h.IfUnmodifiedSince.Count == 0 && h.IfRange.Count == 0;
    }

    public Task ExecuteAsync(HttpContext context)
    {
        if (cached is not null)
        {
            return WriteHeldAsync(context, file, cached, contentType);
        }

        var length = (int)file.Size;
        var head = HttpMethods.IsHead(context.Request.Method);
        var buffer = head ? null : ArrayPool<byte>.Shared.Rent(length + 1);
        var handedOver = false;
        try
        {
            var read = Read(path ?? throw new InvalidOperationException("Neither bytes nor a path to read them from."), buffer, length, file, out var failure);
            if (failure is not null)
            {
                return stale.Unreadable(context, key, failure).ExecuteAsync(context);
            }

            if (read != length)
            {
                return stale.Changed(context, key).ExecuteAsync(context);
            }

            var etag = new StringValues(file.ETag(metadata: false));
            var lastModified = new StringValues(HeaderUtilities.FormatDate(file.UploadTime));
            if (buffer is null)
            {
                return WriteAsync(context, etag, lastModified, null, 0);
            }

            // Copied only when the budget keeps it; otherwise sent from the pooled buffer, which goes
            // back to the pool once the write is done with it.
            if (file.TryKeep(buffer, etag, lastModified, cache.Budget) is { } kept)
            {
                return WriteAsync(context, etag, lastModified, kept.Bytes, length);
            }

            handedOver = true;
            return PooledBuffers.ReturnAfter(WriteAsync(context, etag, lastModified, buffer, length), buffer);
        }
        finally
        {
            if (buffer is not null && !handedOver)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// Answers a whole-file GET or HEAD from a blob store that streams (no local file): reads the
    /// blob whole, and sends and holds it only when its length and sha256 are the listed ones; other
    /// bytes are a 503 with one line and a log line, never sent.
    /// </summary>
    public static async Task<IResult> FromStreamAsync(Stream content, FileDownload file, string contentType, SmallFileCache cache, string key, HttpContext context)
    {
        var length = (int)file.Size;
        var buffer = ArrayPool<byte>.Shared.Rent(length + 1);
        try
        {
            var read = await content.ReadAtLeastAsync(buffer.AsMemory(0, length + 1), length + 1, throwOnEndOfStream: false, context.RequestAborted);
            Span<byte> digest = stackalloc byte[32];
            if (read != length || !System.Security.Cryptography.SHA256.TryHashData(buffer.AsSpan(0, length), digest, out _)
                || !string.Equals(Convert.ToHexStringLower(digest), file.Sha256, StringComparison.Ordinal))
            {
                context.RequestServices.GetRequiredService<ILogger<SmallFileResult>>().LogWarning(
                    "{Key} in the blob store is not the listed file ({Read} bytes read, {Size} listed, or another sha256); not served", key, read, length);
                context.Response.Headers.CacheControl = "no-store";
                context.Response.Headers.RetryAfter = "5";
                return TypedResults.Text($"File '{key}' in the blob store does not match the listing; it is not served.\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            var etag = new StringValues(file.ETag(metadata: false));
            var lastModified = new StringValues(HeaderUtilities.FormatDate(file.UploadTime));
            var held = file.TryKeep(buffer, etag, lastModified, cache.Budget)
                ?? new FileDownload.CachedBytes(buffer.AsSpan(0, length).ToArray(), etag, lastModified);
            return new HeldResult(file, held, contentType);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Answers a whole-file GET or HEAD from bytes the cache holds: no path, no read, no allocation.</summary>
    public static Task WriteHeldAsync(HttpContext context, FileDownload file, FileDownload.CachedBytes held, string contentType) =>
        WriteAsync(context, contentType, file.Size, held.ETag, held.LastModified, held.Bytes, held.Bytes.Length);

    private Task WriteAsync(HttpContext context, StringValues etag, StringValues lastModified, byte[]? body, int length) =>
        WriteAsync(context, contentType, file.Size, etag, lastModified, body, length);

    private static Task WriteAsync(HttpContext context, string contentType, long size, StringValues etag, StringValues lastModified, byte[]? body, int length)
    {
        var response = context.Response;
        var headers = response.Headers;
        response.ContentType = contentType;
        response.ContentLength = size;
        headers.AcceptRanges = BytesValue;
        headers.ETag = etag;
        headers.LastModified = lastModified;
        if (body is null || HttpMethods.IsHead(context.Request.Method))
        {
            return Task.CompletedTask;
        }

        var write = response.BodyWriter.WriteAsync(body.AsMemory(0, length), context.RequestAborted);
        return write.IsCompletedSuccessfully ? Task.CompletedTask : write.AsTask();
    }

    /// <summary>
    /// Bytes read (at most length + 1), or for HEAD the file's length; -1 when it is gone or is not the
    /// listed file; <paramref name="failure"/> when it is there but cannot be read.
    /// </summary>
    private static long Read(string path, byte[]? buffer, int length, FileDownload file, out Exception? failure)
    {
        failure = null;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var read = buffer is null ? length : RandomAccess.Read(handle, buffer.AsSpan(0, length + 1), 0);
            return file.IsListed(FileStat.Of(handle)) ? read : -1;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return -1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failure = ex;
            return -1;
        }
    }

    /// <summary>Bytes already read and checked, answered like held ones.</summary>
    private sealed class HeldResult(FileDownload file, FileDownload.CachedBytes held, string contentType) : IResult
    {
        public Task ExecuteAsync(HttpContext context) => WriteHeldAsync(context, file, held, contentType);
    }
}
