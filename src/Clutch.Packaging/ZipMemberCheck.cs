using System.Buffers;
using System.IO.Compression;
using System.IO.Hashing;

namespace Clutch.Packaging;

/// <summary>
/// Holds the central directory to what the local headers and the data say, so that every reader
/// of the zip (pip walks the central directory, streaming readers the local headers) gets the
/// same members with the same bytes, and no member's bytes are corrupt.
/// </summary>
internal static class ZipMemberCheck
{
    /// <summary>Refuses what the forward pass refused.</summary>
    public static void ThrowIfFailed(ZipLocalScan scan)
    {
        if (scan.Failure is not null)
        {
            throw new InvalidArchiveException(scan.Failure);
        }
    }

    /// <summary>
    /// Checks every central directory member: against its local header when the forward pass walked
    /// them all (it checked the data), else by reading it.
    /// </summary>
    public static async ValueTask CheckAsync(ZipArchive zip, string file, ZipLocalScan scan, CancellationToken cancellationToken)
    {
        ThrowIfFailed(scan);
        if (scan.Complete)
        {
            CompareWithLocalHeaders(zip, file, scan);
        }
        else
        {
            await ReadEveryMemberAsync(zip, file, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void CompareWithLocalHeaders(ZipArchive zip, string file, ZipLocalScan scan)
    {
        if (zip.Entries.Count != scan.Members.Count)
        {
            throw new InvalidArchiveException(
                $"'{file}': the central directory lists {zip.Entries.Count} members but the archive holds {scan.Members.Count} (readers would see different files)");
        }

        foreach (var entry in zip.Entries)
        {
            if (!scan.Members.TryGetValue(entry.FullName, out var local))
            {
                throw new InvalidArchiveException($"'{file}': member '{ArchiveInspector.Abbreviated(entry.FullName)}' of the central directory has no local header");
            }

            if (local.Crc32 != entry.Crc32 || local.Length != entry.Length || local.CompressedLength != entry.CompressedLength)
            {
                throw new InvalidArchiveException(
                    $"'{file}': member '{ArchiveInspector.Abbreviated(entry.FullName)}' has a central directory record that disagrees with its local header (CRC-32 or size)");
            }
        }
    }

    /// <summary>The slow way, for zips a forward pass could not walk: inflates each member once.</summary>
    private static async ValueTask ReadEveryMemberAsync(ZipArchive zip, string file, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            foreach (var entry in zip.Entries)
            {
                var hash = new Crc32();
                long count = 0;
                var member = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using (member.ConfigureAwait(false))
                {
                    int n;
                    while ((n = await member.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        count += n;
                        if (count > entry.Length)
                        {
                            throw new InvalidArchiveException($"'{file}': member '{ArchiveInspector.Abbreviated(entry.FullName)}' inflates past the {entry.Length} bytes it declares");
                        }

                        hash.Append(buffer.AsSpan(0, n));
                    }
                }

                if (count != entry.Length)
                {
                    throw new InvalidArchiveException($"'{file}': member '{ArchiveInspector.Abbreviated(entry.FullName)}' holds {count} bytes, not the {entry.Length} it declares");
                }

                if (hash.GetCurrentHashAsUInt32() != entry.Crc32)
                {
                    throw new InvalidArchiveException($"'{file}': member '{ArchiveInspector.Abbreviated(entry.FullName)}' fails its CRC-32 check (the archive is corrupt)");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
