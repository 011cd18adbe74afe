using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;

namespace Clutch.Pages;

/// <summary>
/// A page rendered once per change, kept as gzip bytes with the strong ETags of both encodings,
/// so a request is answered without touching the catalog. The plain bytes are kept too while a
/// <see cref="PlainPageBudget"/> has room for them; once evicted, the next plain request restores
/// them from the gzip bytes (microseconds, no catalog read). Without a budget they are kept for good.
/// </summary>
public sealed class RenderedPage
{
    private readonly PlainPageBudget? _budget;
    private byte[]? _body;
    private int _referenced;

    public RenderedPage(byte[] body, PlainPageBudget? budget = null)
    {
        Length = body.Length;
        Gzip = Compress(body);
        var tag = Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 12));
        ETag = new StringValues($"\"{tag}\"");
        GzipETag = new StringValues($"\"{tag}-gz\"");
        _budget = budget;
        _body = body;
        budget?.Admit(this, body.Length);
    }

    /// <summary>The plain bytes.</summary>
    public byte[] Body
    {
        get
        {
            var body = Volatile.Read(ref _body);
            if (body is not null)
            {
                Volatile.Write(ref _referenced, 1);
                return body;
            }

            return Restore();
        }
    }

    /// <summary>Length of the plain bytes.</summary>
    public int Length { get; }

    public byte[] Gzip { get; }

    public StringValues ETag { get; }

    public StringValues GzipETag { get; }

    /// <summary>True while the plain bytes are held in memory.</summary>
    public bool HoldsBody => Volatile.Read(ref _body) is not null;

    /// <summary>Clears the recently-used mark; true when it was set (the page gets a second chance).</summary>
    internal bool TakeReferenced() => Interlocked.Exchange(ref _referenced, 0) == 1;

    /// <summary>Drops the plain bytes; the number of bytes freed.</summary>
    internal int DropBody() => Interlocked.Exchange(ref _body, null)?.Length ?? 0;

    private byte[] Restore()
    {
        var body = new byte[Length];
        using (var gz = new GZipStream(new MemoryStream(Gzip, writable: false), CompressionMode.Decompress))
        {
            gz.ReadExactly(body);
        }

        if (Interlocked.CompareExchange(ref _body, body, null) is { } raced)
        {
            return raced;
        }

        _budget?.Admit(this, body.Length);
        return body;
    }

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
