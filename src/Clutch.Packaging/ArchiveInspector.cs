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

    /// <summary>Largest compression ratio of a member (zip bomb guard).</summary>
    public double MaxCompressionRatio { get; init; } = 200;

    public static ArchiveLimits Default { get; } = new();
}

/// <summary>What inspection found: the core metadata and its exact bytes (served for PEP 658).</summary>
public sealed record InspectionResult(CoreMetadata Metadata, byte[] MetadataBytes, string MetadataPath);

/// <summary>Thrown when an archive is malformed, lies about itself, or breaks a limit.</summary>
public sealed class InvalidArchiveException(string message) : Exception(message);

/// <summary>Reads core metadata out of wheels, sdists and eggs, streaming and bounded.</summary>
public static class ArchiveInspector
{
    /// <summary>
    /// Inspects a distribution. Wheels: <c>{name}-{ver}.dist-info/METADATA</c>; sdists: top-level
    /// <c>PKG-INFO</c>; eggs: <c>EGG-INFO/PKG-INFO</c> with <c>EGG-INFO/requires.txt</c> merged
    /// into Requires-Dist. Refuses bombs, symlinks, absolute and <c>..</c> members with
    /// <see cref="InvalidArchiveException"/>. Legacy bdists (exe/msi/rpm/dmg) are not inspected:
    /// returns null.
    /// </summary>
    public static ValueTask<InspectionResult?> InspectAsync(
        Stream stream, DistributionFilename filename, ArchiveLimits limits, CancellationToken cancellationToken)
        => throw new NotImplementedException();
}
