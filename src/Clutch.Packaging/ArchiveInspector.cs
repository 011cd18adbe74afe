using System.Buffers;

namespace Clutch.Packaging;

/// <summary>Bounds that keep archive inspection safe against bombs and hostile members.</summary>
public sealed record ArchiveLimits
{
    /// <summary>Largest metadata member (METADATA, PKG-INFO, requires.txt) read, uncompressed.</summary>
    public long MaxMetadataBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Largest total uncompressed size the archive may declare.</summary>
    public long MaxTotalUncompressedBytes { get; init; } = 8L * 1024 * 1024 * 1024;

    /// <summary>Largest single member's uncompressed size.</summary>
    public long MaxMemberBytes { get; init; } = 1L * 1024 * 1024 * 1024;

    /// <summary>Most members an archive may hold.</summary>
    public int MaxMembers { get; init; } = 200_000;

    /// <summary>Longest member path, in UTF-8 bytes.</summary>
    /// <remarks>Installers join it to a prefix (site-packages, a build directory) that may itself be a
    /// few hundred bytes long; 1024 leaves room under Linux's PATH_MAX of 4096 for any prefix and is
    /// far beyond what real distributions use (their longest paths are around 200 bytes).</remarks>
    public int MaxMemberPathBytes { get; init; } = 1024;

    /// <summary>Most directory levels in a member path.</summary>
    /// <remarks>pip creates the directories recursively and crashes thousands of levels deep; real
    /// distributions nest at most a few dozen levels (vendored JavaScript included).</remarks>
    public int MaxMemberPathDepth { get; init; } = 64;

    /// <summary>Longest single path segment, in UTF-8 bytes: NAME_MAX on every common file system.</summary>
    public int MaxMemberNameBytes { get; init; } = 255;

    /// <summary>Largest compression ratio of a member (zip bomb guard).</summary>
    /// <remarks>Checked for members (zip) or streams (gzip) past <see cref="RatioCheckThresholdBytes"/>,
    /// since small files legitimately compress far better than large ones.</remarks>
    public double MaxCompressionRatio { get; init; } = 200;

    /// <summary>Uncompressed size from which <see cref="MaxCompressionRatio"/> is enforced.</summary>
    public long RatioCheckThresholdBytes { get; init; } = 1024 * 1024;

    public static ArchiveLimits Default { get; } = new();
}

/// <summary>What inspection found: the core metadata and its exact bytes (served for PEP 658).</summary>
/// <remarks>For an egg whose <c>requires.txt</c> adds requirements, the bytes are the merged
/// metadata written by <see cref="CoreMetadata.ToText"/>, not the archive's PKG-INFO.</remarks>
public sealed record InspectionResult(CoreMetadata Metadata, byte[] MetadataBytes, string MetadataPath);

/// <summary>Thrown when an archive is malformed, lies about itself, or breaks a limit.</summary>
public sealed class InvalidArchiveException(string message) : Exception(message);

/// <summary>Reads core metadata out of wheels, sdists and eggs, streaming and bounded.</summary>
public static class ArchiveInspector
{
    /// <summary>
    /// Inspects a distribution. Wheels: <c>{name}-{ver}.dist-info/METADATA</c>; sdists: top-level
    /// <c>PKG-INFO</c>; eggs: <c>EGG-INFO/PKG-INFO</c> with <c>EGG-INFO/requires.txt</c> merged
    /// into Requires-Dist. Refuses with <see cref="InvalidArchiveException"/> what an installer
    /// would fail on or tools would read differently: bombs, symlinks, absolute, <c>..</c>, too long
    /// or too deep members, duplicate members, zip members whose CRC-32 or size is wrong or whose
    /// central directory record and local header disagree, and metadata that is not UTF-8, has an
    /// unknown major Metadata-Version or gives a single-use field twice with different values. Legacy bdists (exe/msi/rpm/dmg) are not inspected:
    /// returns null. <c>.tar.bz2</c> and <c>.tar.xz</c> sdists are refused: the base library has
    /// no decoder for them.
    /// </summary>
    public static ValueTask<InspectionResult?> InspectAsync(
        Stream stream, DistributionFilename filename, ArchiveLimits limits, CancellationToken cancellationToken)
        => InspectAsync(stream, filename, limits, null, cancellationToken);

    /// <summary>
    /// As <see cref="InspectAsync(Stream, DistributionFilename, ArchiveLimits, CancellationToken)"/>;
    /// for zips, <paramref name="zipScan"/> is what <see cref="ZipStreamVerifier"/> found in a pass
    /// over the same bytes (while they were received or hashed), so the members are not read again:
    /// only the central directory is checked against it. Null: the pass is made here.
    /// </summary>
    public static async ValueTask<InspectionResult?> InspectAsync(
        Stream stream, DistributionFilename filename, ArchiveLimits limits, ZipLocalScan? zipScan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(filename);
        limits ??= ArchiveLimits.Default;
        var file = filename.Filename;
        try
        {
            switch (filename.Type)
            {
                case DistributionType.Wheel:
                case DistributionType.Egg:
                    return await ZipInspector.InspectAsync(stream, filename, limits, zipScan, cancellationToken).ConfigureAwait(false);
                case DistributionType.Sdist:
                    if (file.EndsWith(".zip", StringComparison.Ordinal))
                    {
                        return await ZipInspector.InspectAsync(stream, filename, limits, zipScan, cancellationToken).ConfigureAwait(false);
                    }

                    if (file.EndsWith(".tar.gz", StringComparison.Ordinal) || file.EndsWith(".tgz", StringComparison.Ordinal))
                    {
                        return await TarInspector.InspectAsync(stream, filename, limits, cancellationToken).ConfigureAwait(false);
                    }

                    var kind = file.EndsWith(".tar.bz2", StringComparison.Ordinal) ? "bz2" : "xz";
                    throw new InvalidArchiveException($"'{file}': {kind} sdists cannot be inspected (no {kind} decoder without an extra package)");
                default:
                    return null;
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException or NotSupportedException or ArgumentException)
        {
            throw new InvalidArchiveException($"'{file}': not a readable {ArchiveKind(filename)} ({OneLine(ex.Message)})");
        }
    }

    private static string ArchiveKind(DistributionFilename filename)
        => filename.Type == DistributionType.Sdist && !filename.Filename.EndsWith(".zip", StringComparison.Ordinal) ? "gzip tar archive" : "zip archive";

    internal static string OneLine(string message) => message.ReplaceLineEndings(" ");

    /// <summary>Adds a member's declared size to the running total, refusing archives that declare too much.</summary>
    internal static long AddDeclaredSize(string file, long total, long length, ArchiveLimits limits)
    {
        total += length;
        return total <= limits.MaxTotalUncompressedBytes
            ? total
            : throw new InvalidArchiveException($"'{file}': declares more than {limits.MaxTotalUncompressedBytes} uncompressed bytes");
    }

    /// <summary>
    /// Records the top-level name of a member path (no leading slash): its first directory, or
    /// <c>/name</c> for a file at the top, so an sdist's single top directory can be checked.
    /// Returns the index of the first '/', or -1.
    /// </summary>
    internal static int NoteTopLevel(HashSet<string> topLevel, string path, bool isDirectory)
    {
        var slash = path.IndexOf('/');
        topLevel.Add(slash < 0 ? (isDirectory ? path : "/" + path) : path[..slash]);
        return slash;
    }

    /// <summary>
    /// Checks a member path and returns it without empty and <c>.</c> segments. Refuses absolute
    /// paths, drive letters, backslashes, NUL, <c>..</c> segments and paths longer or deeper than
    /// <paramref name="limits"/> allow.
    /// </summary>
    internal static string CheckMemberPath(string file, string name, ArchiveLimits limits)
    {
        if (name.Length == 0)
        {
            throw new InvalidArchiveException($"'{file}': a member has an empty name");
        }

        if (name.Contains('\\'))
        {
            throw new InvalidArchiveException($"'{file}': member '{name}' contains a backslash");
        }

        if (name.Contains('\0'))
        {
            throw new InvalidArchiveException($"'{file}': member '{name}' contains a NUL character");
        }

        if (name[0] == '/' || (name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0])))
        {
            throw new InvalidArchiveException($"'{file}': member '{name}' has an absolute path");
        }

        var segments = name.Split('/');
        var clean = true;
        var depth = 0;
        foreach (var segment in segments)
        {
            if (segment == "..")
            {
                throw new InvalidArchiveException($"'{file}': member '{Abbreviated(name)}' escapes the archive ('..')");
            }

            if (System.Text.Encoding.UTF8.GetByteCount(segment) > limits.MaxMemberNameBytes)
            {
                throw new InvalidArchiveException($"'{file}': member '{Abbreviated(name)}' has a name longer than {limits.MaxMemberNameBytes} bytes");
            }

            var real = segment.Length > 0 && segment != ".";
            depth += real ? 1 : 0;
            clean &= real;
        }

        if (depth > limits.MaxMemberPathDepth)
        {
            throw new InvalidArchiveException($"'{file}': member '{Abbreviated(name)}' is nested {depth} levels deep, more than the limit of {limits.MaxMemberPathDepth}");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(name) > limits.MaxMemberPathBytes)
        {
            throw new InvalidArchiveException($"'{file}': member '{Abbreviated(name)}' has a path longer than {limits.MaxMemberPathBytes} bytes");
        }

        if (clean)
        {
            return name;
        }

        return string.Join('/', Array.FindAll(segments, s => s.Length > 0 && s != "."));
    }

    /// <summary>A member path short enough for a one-line message.</summary>
    internal static string Abbreviated(string name) => name.Length <= 80 ? name : name[..40] + "..." + name[^30..];

    /// <summary>Wheels and sdists must describe the distribution their filename names.</summary>
    internal static void CheckMatchesFilename(DistributionFilename filename, string path, CoreMetadata metadata)
    {
        var file = filename.Filename;
        if (string.IsNullOrWhiteSpace(metadata.Name))
        {
            throw new InvalidArchiveException($"'{file}': {path} has no Name");
        }

        if (string.IsNullOrWhiteSpace(metadata.Version))
        {
            throw new InvalidArchiveException($"'{file}': {path} has no Version");
        }

        if (!filename.Project.Matches(metadata.Name.Trim()))
        {
            throw new InvalidArchiveException($"'{file}': {path} says Name '{metadata.Name}' but the filename says '{filename.RawName}'");
        }

        if (PackageVersion.Parse(metadata.Version.Trim()) != filename.Version)
        {
            throw new InvalidArchiveException($"'{file}': {path} says Version '{metadata.Version}' but the filename says '{filename.Version.Original}'");
        }
    }

    /// <summary>Reads a member fully, refusing it past <paramref name="limit"/> bytes.</summary>
    internal static async ValueTask<byte[]> ReadBoundedAsync(Stream member, long limit, string file, string path, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int n;
            while ((n = await member.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + n > limit)
                {
                    throw new InvalidArchiveException($"'{file}': {path} is larger than {limit} bytes");
                }

                buffer.Write(chunk, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }
}
