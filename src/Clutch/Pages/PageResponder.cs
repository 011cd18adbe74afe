using Clutch.Hosting;
using Clutch.Tuning;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Clutch.Pages;

/// <summary>Writes a cached page: negotiated encoding, ETag / 304, Vary, Cache-Control, HEAD.</summary>
public sealed class PageResponder(StringValues cacheControl)
{
    private static readonly StringValues VaryValue = new("Accept, Accept-Encoding");
    private static readonly StringValues GzipValue = new("gzip");

    /// <summary>Bodies above this many bytes take <see cref="WriteLargeAsync"/>.</summary>
    private const int LargeBody = 16 * 1024;

    public Task WriteAsync(HttpContext context, RenderedPage page, string contentType)
    {
        var request = context.Request;
        var response = context.Response;
        var gzip = AcceptsGzip(request.Headers.AcceptEncoding);
        var etag = gzip ? page.GzipETag : page.ETag;
        var headers = response.Headers;
        headers.ETag = etag;
        headers.Vary = VaryValue;
        headers.CacheControl = cacheControl;
        if (Matches(request.Headers.IfNoneMatch, etag.ToString()))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = contentType;
        if (gzip)
        {
            headers.ContentEncoding = GzipValue;
        }

        response.ContentLength = gzip ? page.GzipLength : page.Length;
        if (HttpMethods.IsHead(request.Method))
        {
            return Task.CompletedTask;
        }

        if (gzip)
        {
            return page.TryGetGzipInMemory(out var packed)
                ? WriteBodyAsync(response, packed, context.RequestAborted)
                : WriteStoredAsync(response, page.StoredGzip!, context.RequestAborted);
        }

        if (!page.TryGetPlain(out var plain, out var rented))
        {
            // Not held: read from the store, or (the whole-index pages, or a big page without a
            // store that the budget did not take back) decompressed as it streams.
            return page.StoredPlain is { } stored
                ? WriteStoredAsync(response, stored, context.RequestAborted)
                : page.CopyPlainToAsync(response.Body, context.RequestAborted);
        }

        var write = WriteBodyAsync(response, plain, context.RequestAborted);
        return rented is null ? write : PooledBuffers.ReturnAfter(write, rented);
    }

    private static Task WriteBodyAsync(HttpResponse response, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (body.Length > LargeBody)
        {
            return WriteLargeAsync(response, body, cancellationToken);
        }

        // Straight into Kestrel's pipe; a write that completes at once costs no Task.
        var write = response.BodyWriter.WriteAsync(body, cancellationToken);
        return write.IsCompletedSuccessfully ? Task.CompletedTask : write.AsTask();
    }

    /// <summary>
    /// A large body (the root page: 300 KB at 5,000 projects) written after the headers, straight
    /// into the connection's 64 KB blocks (<see cref="Tuning.LargeBlockMemoryPool"/>). Written before
    /// the headers, Kestrel buffers it and copies it again, block by block: a second copy of every
    /// byte per request. One buffer of the body's full size would come from the shared ArrayPool,
    /// which then keeps a 512 KB array per busy connection for good.
    /// </summary>
    private static async Task WriteLargeAsync(HttpResponse response, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        await response.StartAsync(cancellationToken);
        await response.BodyWriter.WriteAsync(body, cancellationToken);
    }

    /// <summary>
    /// Page bytes from the page store: one positional read straight into Kestrel's output buffer,
    /// no buffer of our own in between (Kestrel counts the body against Content-Length as it is flushed).
    /// </summary>
    private static Task WriteStoredAsync(HttpResponse response, StoredBytes stored, CancellationToken cancellationToken)
    {
        var length = stored.Length;
        if (length > LargeBody)
        {
            return WriteLargeStoredAsync(response, stored, cancellationToken);
        }

        var writer = response.BodyWriter;
        stored.Read(0, writer.GetSpan(length)[..length]);
        writer.Advance(length);
        var flush = writer.FlushAsync(cancellationToken);
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }

    /// <summary>A large stored body, after the headers, block by block (see <see cref="WriteLargeAsync"/>).</summary>
    private static async Task WriteLargeStoredAsync(HttpResponse response, StoredBytes stored, CancellationToken cancellationToken)
    {
        await response.StartAsync(cancellationToken);
        var writer = response.BodyWriter;
        for (long written = 0; written < stored.Length;)
        {
            var chunk = (int)Math.Min(LargeBlockMemoryPool.BlockSize, stored.Length - written);
            stored.Read(written, writer.GetMemory(chunk).Span[..chunk]);
            writer.Advance(chunk);
            written += chunk;
            var flush = await writer.FlushAsync(cancellationToken);
            if (flush.IsCanceled || flush.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>Writes a simple page in the negotiated representation: the one place that picks it.</summary>
    public Task WriteSimpleAsync(HttpContext context, RenderedPage html, RenderedPage json, Simple.SimpleFormat format) =>
        WriteAsync(context, format == Simple.SimpleFormat.Json ? json : html, Simple.ContentNegotiation.ContentType(format));

    /// <summary>True when the client accepts gzip with a non-zero q. Allocation-free: runs on every page request.</summary>
    public static bool AcceptsGzip(StringValues acceptEncoding)
    {
        foreach (var header in acceptEncoding)
        {
            var rest = header.AsSpan();
            while (!rest.IsEmpty)
            {
                var comma = rest.IndexOf(',');
                var p = (comma < 0 ? rest : rest[..comma]).Trim();
                rest = comma < 0 ? default : rest[(comma + 1)..];
                var semi = p.IndexOf(';');
                var coding = (semi < 0 ? p : p[..semi]).TrimEnd();
                if (!coding.Equals("gzip", StringComparison.OrdinalIgnoreCase) && !coding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
                {
                    // Another coding, or one that merely starts with "gzip".
                    continue;
                }

                if (semi < 0)
                {
                    return true;
                }

                var q = p[(semi + 1)..].Trim();
                return !(q.StartsWith("q=0", StringComparison.OrdinalIgnoreCase) && !q.ContainsAnyInRange('1', '9'));
            }
        }

        return false;
    }

    private static bool Matches(StringValues ifNoneMatch, string etag)
    {
        if (StringValues.IsNullOrEmpty(ifNoneMatch))
        {
            return false;
        }

        foreach (var header in ifNoneMatch)
        {
            if (header is null)
            {
                continue;
            }

            if (header.Trim() == "*")
            {
                return true;
            }

            if (EntityTagHeaderValue.TryParseList([header], out var tags))
            {
                foreach (var t in tags)
                {
                    // Weak comparison, as RFC 9110 asks for If-None-Match.
                    if (t.Tag.AsSpan().SequenceEqual(etag.AsSpan(etag.StartsWith("W/", StringComparison.Ordinal) ? 2 : 0)))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
