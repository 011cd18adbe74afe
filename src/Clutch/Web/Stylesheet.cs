using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;

namespace Clutch.Web;

/// <summary>
/// The one stylesheet of the web pages, embedded in the binary. Its URL carries the first 12 hex
/// digits of its sha256, so a new build's stylesheet has a new URL and every answer may be cached
/// for a year without ever being stale.
/// </summary>
public static class Stylesheet
{
    /// <summary>The stylesheet's bytes (UTF-8 CSS).</summary>
    public static ReadOnlyMemory<byte> Bytes { get; } = Load();

    /// <summary>First 12 hex digits of the sha256 of <see cref="Bytes"/>.</summary>
    public static string Hash { get; } = Convert.ToHexStringLower(SHA256.HashData(Bytes.Span))[..12];

    /// <summary>The link every page uses: <c>/static/clutch.css?v={hash}</c>.</summary>
    public static string Href { get; } = "/static/clutch.css?v=" + Hash;

    /// <summary>Path the stylesheet is served at (any <c>v</c> gets today's bytes).</summary>
    public const string Path = "/static/clutch.css";

    private static readonly StringValues ETag = new("\"" + Hash + "\"");

    /// <summary>Answers <c>GET</c>/<c>HEAD</c> of <see cref="Path"/>: the bytes, or 304 when the client has them.</summary>
    public static Task ServeAsync(HttpContext context)
    {
        var response = context.Response;
        response.Headers.CacheControl = "public, max-age=31536000, immutable";
        response.Headers.ETag = ETag;
        if (context.Request.Headers.IfNoneMatch.Any(v => v is not null && (v.Contains(Hash, StringComparison.Ordinal) || v.Trim() == "*")))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = "text/css; charset=utf-8";
        response.ContentLength = Bytes.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(Bytes, context.RequestAborted).AsTask();
    }

    private static byte[] Load()
    {
        using var stream = typeof(Stylesheet).Assembly.GetManifestResourceStream("clutch.css")
            ?? throw new InvalidOperationException("The stylesheet clutch.css is not embedded in this build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
