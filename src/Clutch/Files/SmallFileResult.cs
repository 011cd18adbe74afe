using System.Buffers;
using Microsoft.Net.Http.Headers;

namespace Clutch.Files;

/// <summary>
/// A whole small file for a plain GET or HEAD (no range, no condition): the headers the physical
/// file result would send, and the bytes read synchronously in one call. For a small file already in
/// the page cache this is a few microseconds, where the async file path costs a thread-pool hop
/// and a stream per request. Anything else (ranges, conditionals, large files) takes the general path.
/// </summary>
internal sealed class SmallFileResult(
    string path, long length, DateTime lastWriteUtc, string contentType, EntityTagHeaderValue etag, DateTimeOffset lastModified, SmallFileCache cache) : IResult
{
    /// <summary>Largest file answered this way.</summary>
    public const long MaxLength = 64 * 1024;

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

    public async Task ExecuteAsync(HttpContext context)
    {
        var response = context.Response;
        var headers = response.Headers;
        response.ContentType = contentType;
        response.ContentLength = length;
        headers.AcceptRanges = "bytes";
        headers.ETag = etag.ToString();
        headers.LastModified = HeaderUtilities.FormatDate(lastModified);
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        var cached = cache.TryGet(path, length, lastWriteUtc);
        if (cached is not null)
        {
            await response.BodyWriter.WriteAsync(cached, context.RequestAborted);
            return;
        }

        var keep = cache.HasRoomFor(length);
        var buffer = keep ? new byte[length] : ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            int read;
            using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                read = RandomAccess.Read(handle, buffer.AsSpan(0, (int)length), 0);
            }

            if (read != length)
            {
                // Shrunk since it was checked: never send bytes that disagree with the listed length.
                context.Abort();
                return;
            }

            if (keep)
            {
                cache.Add(path, lastWriteUtc, buffer);
            }

            await response.BodyWriter.WriteAsync(buffer.AsMemory(0, (int)length), context.RequestAborted);
        }
        finally
        {
            if (!keep)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
