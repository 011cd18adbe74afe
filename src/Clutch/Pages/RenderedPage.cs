using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;

namespace Clutch.Pages;

/// <summary>
/// A page rendered once per change and kept as bytes, plain and gzip, each with its strong ETag,
/// so a request is answered without touching the catalog or allocating.
/// </summary>
public sealed class RenderedPage
{
    public RenderedPage(byte[] body)
    {
        Body = body;
        Gzip = Compress(body);
        var tag = Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 12));
        ETag = new StringValues($"\"{tag}\"");
        GzipETag = new StringValues($"\"{tag}-gz\"");
    }

    public byte[] Body { get; }

    public byte[] Gzip { get; }

    public StringValues ETag { get; }

    public StringValues GzipETag { get; }

    private static byte[] Compress(byte[] body)
    {
        using var output = new MemoryStream(body.Length / 4 + 64);
        using (var gz = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gz.Write(body);
        }

        return output.ToArray();
    }
}
