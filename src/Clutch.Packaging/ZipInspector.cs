using System.IO.Compression;

namespace Clutch.Packaging;

/// <summary>Wheels, eggs and zip sdists: everything is checked from the central directory first.</summary>
internal static class ZipInspector
{
    private const int UnixTypeMask = 0xF000;
    private const int UnixRegular = 0x8000;
    private const int UnixDirectory = 0x4000;

    /// <summary>
    /// Inspects the zip; <paramref name="scan"/> is what a forward pass over the same bytes found
    /// (<see cref="ZipStreamVerifier"/>), or null to make that pass here first.
    /// </summary>
    public static async ValueTask<InspectionResult?> InspectAsync(
        Stream stream, DistributionFilename filename, ArchiveLimits limits, ZipLocalScan? scan, CancellationToken cancellationToken)
    {
        Stream? temp = null;
        try
        {
            if (!stream.CanSeek)
            {
                // The central directory is at the end: spool to a temporary file rather than memory.
                temp = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
                await stream.CopyToAsync(temp, cancellationToken).ConfigureAwait(false);
                temp.Position = 0;
                stream = temp;
            }

            if (scan is null)
            {
                var start = stream.Position;
                scan = await ZipStreamVerifier.ScanAsync(stream, filename.Filename, limits, cancellationToken).ConfigureAwait(false);
                stream.Position = start;
            }

            ZipMemberCheck.ThrowIfFailed(scan);

            var zip = await ZipArchive.CreateAsync(stream, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: null, cancellationToken).ConfigureAwait(false);
            await using (zip.ConfigureAwait(false))
            {
                return await InspectEntriesAsync(zip, filename, limits, scan, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (temp is not null)
            {
                await temp.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async ValueTask<InspectionResult?> InspectEntriesAsync(
        ZipArchive zip, DistributionFilename filename, ArchiveLimits limits, ZipLocalScan scan, CancellationToken cancellationToken)
    {
        var file = filename.Filename;
        var entries = zip.Entries;
        if (entries.Count > limits.MaxMembers)
        {
            throw new InvalidArchiveException($"'{file}': {entries.Count} members, more than the limit of {limits.MaxMembers}");
        }

        long total = 0;
        var topLevel = new HashSet<string>(StringComparer.Ordinal);
        var distInfo = new HashSet<string>(StringComparer.Ordinal);
        var byPath = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var path = ArchiveInspector.CheckMemberPath(file, entry.FullName, limits);
            var type = (entry.ExternalAttributes >> 16) & UnixTypeMask;
            if (type != 0 && type != UnixRegular && type != UnixDirectory)
            {
                var what = type == 0xA000 ? "a symbolic link" : "a special file";
                throw new InvalidArchiveException($"'{file}': member '{entry.FullName}' is {what}");
            }

            CheckSize(file, entry, limits);
            total = ArchiveInspector.AddDeclaredSize(file, total, entry.Length, limits);
            if (path.Length == 0)
            {
                continue;
            }

            var slash = ArchiveInspector.NoteTopLevel(topLevel, path, entry.FullName.EndsWith('/'));
            if (slash > 0 && path.AsSpan(0, slash).EndsWith(".dist-info", StringComparison.Ordinal))
            {
                distInfo.Add(path[..slash]);
            }

            // Two members of one name: tools read different ones (PyPI refuses them too).
            if (!names.Add(path))
            {
                throw new InvalidArchiveException($"'{file}': member '{ArchiveInspector.Abbreviated(path)}' appears more than once");
            }

            if (!entry.FullName.EndsWith('/'))
            {
                byPath.Add(path, entry);
            }
        }

        await ZipMemberCheck.CheckAsync(zip, file, scan, cancellationToken).ConfigureAwait(false);
        string metadataPath;
        string? requiresPath = null;
        switch (filename.Type)
        {
            case DistributionType.Wheel:
                metadataPath = WheelMetadataPath(filename, distInfo);
                break;
            case DistributionType.Egg:
                metadataPath = "EGG-INFO/PKG-INFO";
                requiresPath = "EGG-INFO/requires.txt";
                break;
            default:
                metadataPath = SdistTop(file, topLevel) + "/PKG-INFO";
                break;
        }

        if (!byPath.TryGetValue(metadataPath, out var metadataEntry))
        {
            throw new InvalidArchiveException($"'{file}': {metadataPath} is missing");
        }

        var bytes = await ReadEntryAsync(file, metadataEntry, metadataPath, limits, cancellationToken).ConfigureAwait(false);
        var metadata = MetadataRules.Parse(file, metadataPath, bytes);
        if (filename.Type == DistributionType.Egg)
        {
            if (requiresPath is not null && byPath.TryGetValue(requiresPath, out var requiresEntry))
            {
                var requires = await ReadEntryAsync(file, requiresEntry, requiresPath, limits, cancellationToken).ConfigureAwait(false);
                var merged = metadata.WithEggRequires(System.Text.Encoding.UTF8.GetString(requires));
                if (merged.Fields.Count != metadata.Fields.Count)
                {
                    metadata = merged;
                    bytes = System.Text.Encoding.UTF8.GetBytes(merged.ToText());
                }
            }
        }
        else
        {
            ArchiveInspector.CheckMatchesFilename(filename, metadataPath, metadata);
        }

        return new InspectionResult(metadata, bytes, metadataPath);
    }

    private static void CheckSize(string file, ZipArchiveEntry entry, ArchiveLimits limits)
    {
        if (entry.Length > limits.MaxMemberBytes)
        {
            throw new InvalidArchiveException($"'{file}': member '{entry.FullName}' declares {entry.Length} bytes, more than the limit of {limits.MaxMemberBytes}");
        }

        if (entry.Length > limits.RatioCheckThresholdBytes
            && entry.Length > limits.MaxCompressionRatio * Math.Max(1, entry.CompressedLength))
        {
            throw new InvalidArchiveException($"'{file}': member '{entry.FullName}' compresses {entry.Length / Math.Max(1, entry.CompressedLength)}:1, a zip bomb");
        }
    }

    private static string WheelMetadataPath(DistributionFilename filename, HashSet<string> distInfo)
    {
        var file = filename.Filename;
        if (distInfo.Count == 0)
        {
            throw new InvalidArchiveException($"'{file}': no top-level .dist-info directory");
        }

        if (distInfo.Count > 1)
        {
            throw new InvalidArchiveException($"'{file}': more than one top-level .dist-info directory ({string.Join(", ", distInfo.Order(StringComparer.Ordinal))})");
        }

        var dir = distInfo.First();
        var stem = dir[..^".dist-info".Length];
        var dash = stem.IndexOf('-');
        if (dash <= 0 || !filename.Project.Matches(stem[..dash]) || PackageVersion.Parse(stem[(dash + 1)..]) != filename.Version)
        {
            throw new InvalidArchiveException($"'{file}': the directory '{dir}' does not match the filename's {filename.Project} {filename.Version}");
        }

        return dir + "/METADATA";
    }

    internal static string SdistTop(string file, HashSet<string> topLevel)
    {
        if (topLevel.Count != 1 || topLevel.First().StartsWith('/'))
        {
            throw new InvalidArchiveException($"'{file}': an sdist must hold exactly one top-level directory, found {topLevel.Count} top-level members");
        }

        return topLevel.First();
    }

    private static async ValueTask<byte[]> ReadEntryAsync(string file, ZipArchiveEntry entry, string path, ArchiveLimits limits, CancellationToken cancellationToken)
    {
        if (entry.Length > limits.MaxMetadataBytes)
        {
            throw new InvalidArchiveException($"'{file}': {path} declares {entry.Length} bytes, more than the limit of {limits.MaxMetadataBytes}");
        }

        var member = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (member.ConfigureAwait(false))
        {
            return await ArchiveInspector.ReadBoundedAsync(member, limits.MaxMetadataBytes, file, path, cancellationToken).ConfigureAwait(false);
        }
    }
}
