using System.Formats.Tar;
using System.IO.Compression;

namespace Clutch.Packaging;

/// <summary>
/// Gzipped tar sdists, in one forward pass: every member's header is checked before its data is
/// skipped, and the inflated stream is counted so a bomb is stopped while it inflates.
/// </summary>
internal static class TarInspector
{
    public static async ValueTask<InspectionResult?> InspectAsync(Stream stream, DistributionFilename filename, ArchiveLimits limits, CancellationToken cancellationToken)
    {
        var file = filename.Filename;
        var compressed = new CountingStream(stream, long.MaxValue, null);
        var gzip = new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: true);
        await using var gzipScope = gzip.ConfigureAwait(false);

        // Headers and padding come on top of the declared member sizes.
        var budget = limits.MaxTotalUncompressedBytes + ((long)limits.MaxMembers * 1536) + (1024 * 1024);
        var inflated = new CountingStream(gzip, budget, total =>
        {
            if (total > limits.RatioCheckThresholdBytes && total > limits.MaxCompressionRatio * Math.Max(1, compressed.Count))
            {
                throw new InvalidArchiveException($"'{file}': inflates more than {limits.MaxCompressionRatio}:1, a gzip bomb");
            }
        })
        {
            LimitMessage = $"'{file}': inflates past {budget} bytes",
        };

        var reader = new TarReader(inflated, leaveOpen: true);
        await using var readerScope = reader.ConfigureAwait(false);
        var members = 0;
        long total = 0;
        var topLevel = new HashSet<string>(StringComparer.Ordinal);
        var pkgInfo = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var files = new HashSet<string>(StringComparer.Ordinal);
        TarEntry? entry;
        while ((entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false)) is not null)
        {
            if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
            {
                continue;
            }

            if (++members > limits.MaxMembers)
            {
                throw new InvalidArchiveException($"'{file}': more than the limit of {limits.MaxMembers} members");
            }

            var path = ArchiveInspector.CheckMemberPath(file, entry.Name, limits);
            CheckType(file, entry);
            if (entry.Length > limits.MaxMemberBytes)
            {
                throw new InvalidArchiveException($"'{file}': member '{entry.Name}' declares {entry.Length} bytes, more than the limit of {limits.MaxMemberBytes}");
            }

            total = ArchiveInspector.AddDeclaredSize(file, total, entry.Length, limits);
            if (path.Length == 0)
            {
                continue;
            }

            var isDirectory = entry.EntryType == TarEntryType.Directory;
            var slash = ArchiveInspector.NoteTopLevel(topLevel, path, isDirectory);

            // A tar may hold a name twice (the later one wins on extraction, a reader may take
            // either): refused, as tools would disagree on the content. Repeated directories are harmless.
            if (!isDirectory && !files.Add(path))
            {
                throw new InvalidArchiveException($"'{file}': member '{ArchiveInspector.Abbreviated(path)}' appears more than once");
            }

            // Only the top directory's own PKG-INFO counts (not src/*.egg-info/PKG-INFO).
            if (!isDirectory && slash > 0 && path.IndexOf('/', slash + 1) < 0 && path.AsSpan(slash + 1).SequenceEqual("PKG-INFO"))
            {
                if (entry.Length > limits.MaxMetadataBytes)
                {
                    throw new InvalidArchiveException($"'{file}': {path} declares {entry.Length} bytes, more than the limit of {limits.MaxMetadataBytes}");
                }

                var bytes = entry.DataStream is null
                    ? []
                    : await ArchiveInspector.ReadBoundedAsync(entry.DataStream, limits.MaxMetadataBytes, file, path, cancellationToken).ConfigureAwait(false);
                pkgInfo.Add(path, bytes);
            }
        }

        if (members == 0)
        {
            throw new InvalidArchiveException($"'{file}': the archive is empty");
        }

        var metadataPath = ZipInspector.SdistTop(file, topLevel) + "/PKG-INFO";
        if (!pkgInfo.TryGetValue(metadataPath, out var metadataBytes))
        {
            throw new InvalidArchiveException($"'{file}': {metadataPath} is missing");
        }

        var metadata = MetadataRules.Parse(file, metadataPath, metadataBytes);
        ArchiveInspector.CheckMatchesFilename(filename, metadataPath, metadata);
        return new InspectionResult(metadata, metadataBytes, metadataPath);
    }

    private static void CheckType(string file, TarEntry entry)
    {
        switch (entry.EntryType)
        {
            case TarEntryType.RegularFile:
            case TarEntryType.V7RegularFile:
            case TarEntryType.ContiguousFile:
            case TarEntryType.Directory:
                return;
            case TarEntryType.SymbolicLink:
                throw new InvalidArchiveException($"'{file}': member '{entry.Name}' is a symbolic link");
            case TarEntryType.HardLink:
                throw new InvalidArchiveException($"'{file}': member '{entry.Name}' is a hard link");
            default:
                throw new InvalidArchiveException($"'{file}': member '{entry.Name}' is a {entry.EntryType} entry, not a regular file");
        }
    }
}
