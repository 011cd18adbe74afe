using System.Buffers;
using Microsoft.Net.Http.Headers;

namespace Clutch.Files;

/// <summary>
/// A whole small file for a plain GET or HEAD (no range, no condition): the headers the physical
/// file result would send, and the bytes read synchronously in one call. For a small file already in
/// the page cache this is open, one read and close — no stat, no stream, no thread-pool hop. The read
/// asks for one byte more than the listed size, so a file changed on disk and not yet re-indexed is
/// noticed by the read itself and answered with 503 instead of bytes that disagree with the listing.
/// Anything else (ranges, conditionals, large files) takes the general path.
/// </summary>
internal sealed class SmallFileResult(string path, long length, string contentType, string etag, DateTimeOffset lastModified) : IResult
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

    public Task ExecuteAsync(HttpContext context)
    {
        var head = HttpMethods.IsHead(context.Request.Method);
        var buffer = head ? null : ArrayPool<byte>.Shared.Rent((int)length + 1);
        try
        {
            var read = Read(buffer);
            if (read != length)
            {
                return FileEndpoints.Reindexing(context, context.Request.Path.Value ?? path).ExecuteAsync(context);
            }

            var response = context.Response;
            var headers = response.Headers;
            response.ContentType = contentType;
            response.ContentLength = length;
            headers.AcceptRanges = "bytes";
            headers.ETag = etag;
            headers.LastModified = HeaderUtilities.FormatDate(lastModified);
            if (buffer is null)
            {
                return Task.CompletedTask;
            }

            var write = response.BodyWriter.WriteAsync(buffer.AsMemory(0, (int)length), context.RequestAborted);
            if (write.IsCompletedSuccessfully)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return Task.CompletedTask;
            }

            var pending = ReturnAfter(write, buffer);
            buffer = null;
            return pending;
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Bytes read (at most length + 1), or for HEAD the file's length; -1 when it is gone.</summary>
    private long Read(byte[]? buffer)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return buffer is null ? RandomAccess.GetLength(handle) : RandomAccess.Read(handle, buffer.AsSpan(0, (int)length + 1), 0);
        }
        catch (FileNotFoundException)
        {
            return -1;
        }
        catch (DirectoryNotFoundException)
        {
            return -1;
        }
    }

    private static async Task ReturnAfter(ValueTask<System.IO.Pipelines.FlushResult> write, byte[] buffer)
    {
        try
        {
            await write;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
