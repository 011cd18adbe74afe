using System.Runtime.CompilerServices;
using Clutch.Pages;
using Clutch.Storage;
using Clutch.Storage.Folder;
using Microsoft.Extensions.Primitives;

namespace Clutch.Files;

/// <summary>
/// What a download needs of one catalog file, kept per project for every file the index lists:
/// about a hundred bytes besides its path, where a whole catalog row with its strings is ten times that.
/// </summary>
public sealed class FileDownload : HeldBytes<FileDownload.CachedBytes>
{
    private readonly Sha256Bytes _sha256;
    private readonly Sha256Bytes _metadataSha256;

    public FileDownload(CatalogFile file)
    {
        Size = file.Size;
        Identity = file.SourceIdentity;
        UploadTime = file.UploadTime;
        Convert.FromHexString(file.Sha256, _sha256, out _, out _);
        if (file.MetadataSha256 is { } metadata)
        {
            HasMetadata = true;
            Convert.FromHexString(metadata, _metadataSha256, out _, out _);
        }
    }

    public long Size { get; }

    /// <summary>Inode and ctime of the file whose bytes were hashed (unknown where the store has none).</summary>
    public FileIdentity Identity { get; }

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

    /// <summary>
    /// True when an open file is the one listed: same size and, where known, same inode and ctime.
    /// Checked after the bytes were read, a change made before or while they were read has moved the ctime.
    /// </summary>
    public bool IsListed(FileStatus status) =>
        status.Size == Size && (!Identity.IsKnown || status.Identity == Identity);

    /// <summary>The file's bytes and response headers, while a <see cref="SmallFileCache"/> holds them.</summary>
    public CachedBytes? Cached => Held;

    /// <summary>
    /// Keeps a copy of bytes just read (the first <see cref="Size"/> of <paramref name="buffer"/>) with
    /// their header values, when the cache's budget admits them; null when it does not (no copy made).
    /// </summary>
    public CachedBytes? TryKeep(byte[] buffer, StringValues etag, StringValues lastModified, MemoryBudget budget) =>
        HoldIfAdmitted(
            (int)Size,
            budget,
            (Buffer: buffer, Length: (int)Size, ETag: etag, LastModified: lastModified),
            static s => new CachedBytes(MemoryBudget.HeldCopy(s.Buffer.AsSpan(0, s.Length)), s.ETag, s.LastModified));

    protected override int LengthOf(CachedBytes value) => value.Bytes.Length;

    /// <summary>A small file's bytes with the header values sent with them.</summary>
    public sealed record CachedBytes(byte[] Bytes, StringValues ETag, StringValues LastModified);

    [InlineArray(32)]
    private struct Sha256Bytes
    {
        private byte _first;
    }
}
