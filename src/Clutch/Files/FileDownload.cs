using System.Runtime.CompilerServices;
using Clutch.Pages;
using Clutch.Storage;
using Microsoft.Extensions.Primitives;

namespace Clutch.Files;

/// <summary>
/// What a download needs of one catalog file, kept per project for every file the index lists:
/// about a hundred bytes besides its path, where a whole catalog row with its strings is ten times that.
/// </summary>
public sealed class FileDownload : IHeldBytes
{
    private readonly Sha256Bytes _sha256;
    private readonly Sha256Bytes _metadataSha256;
    private CachedBytes? _cached;
    private int _referenced;

    public FileDownload(CatalogFile file)
    {
        Size = file.Size;
        UploadTime = file.UploadTime;
        Convert.FromHexString(file.Sha256, _sha256, out _, out _);
        if (file.MetadataSha256 is { } metadata)
        {
            HasMetadata = true;
            Convert.FromHexString(metadata, _metadataSha256, out _, out _);
        }
    }

    public long Size { get; }

    public DateTimeOffset UploadTime { get; }

    /// <summary>True when a PEP 658 metadata file is served next to the file.</summary>
    public bool HasMetadata { get; }

    public string Sha256 => Convert.ToHexStringLower(_sha256);

    public string? MetadataSha256 => HasMetadata ? Convert.ToHexStringLower(_metadataSha256) : null;

    /// <summary>The strong ETag of the file's bytes or of its metadata: the quoted sha256.</summary>
    public string ETag(bool metadata) => string.Create(66, metadata ? _metadataSha256 : _sha256, static (span, sha) =>
    {
        span[0] = '"';
        Convert.TryToHexStringLower(sha, span[1..65], out _);
        span[65] = '"';
    });

    /// <inheritdoc/>
    public bool HoldsBytes => Volatile.Read(ref _cached) is not null;

    /// <summary>The file's bytes and response headers, while a <see cref="SmallFileCache"/> holds them.</summary>
    public CachedBytes? Cached
    {
        get
        {
            var cached = Volatile.Read(ref _cached);
            if (cached is not null)
            {
                Volatile.Write(ref _referenced, 1);
            }

            return cached;
        }
    }

    /// <summary>Keeps bytes just read (exactly <see cref="Size"/> of them) under the cache's budget.</summary>
    public void Hold(CachedBytes cached, MemoryBudget budget)
    {
        if (cached.Bytes.Length == Size && Interlocked.CompareExchange(ref _cached, cached, null) is null)
        {
            budget.Admit(this, cached.Bytes.Length);
        }
    }

    /// <inheritdoc/>
    public bool TakeReferenced() => Interlocked.Exchange(ref _referenced, 0) == 1;

    /// <inheritdoc/>
    public int DropBytes() => Interlocked.Exchange(ref _cached, null)?.Bytes.Length ?? 0;

    /// <summary>A small file's bytes with the header values sent with them.</summary>
    public sealed record CachedBytes(byte[] Bytes, StringValues ETag, StringValues LastModified);

    [InlineArray(32)]
    private struct Sha256Bytes
    {
        private byte _first;
    }
}
