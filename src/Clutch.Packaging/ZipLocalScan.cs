namespace Clutch.Packaging;

/// <summary>
/// What one forward pass over a zip's bytes found, member by member, in its local headers: every
/// member's data inflated and its CRC-32 and size checked against its header. Given to
/// <see cref="ArchiveInspector.InspectAsync(Stream, DistributionFilename, ArchiveLimits, ZipLocalScan?, CancellationToken)"/>,
/// which then checks the central directory against it instead of reading every member again.
/// </summary>
public sealed class ZipLocalScan
{
    internal ZipLocalScan(Dictionary<string, ZipLocalMember> members, bool complete, string? failure)
    {
        Members = members;
        Complete = complete;
        Failure = failure;
    }

    /// <summary>The members by name, as their local headers give them.</summary>
    internal Dictionary<string, ZipLocalMember> Members { get; }

    /// <summary>
    /// False when the members could not be delimited in one forward pass (sizes only in a data
    /// descriptor after the data, bytes before the first member, a truncated file): the central
    /// directory's members are then checked by reading each.
    /// </summary>
    internal bool Complete { get; }

    /// <summary>Why the archive is refused (one line, naming the file), or null.</summary>
    public string? Failure { get; }
}

/// <summary>A member's local header: CRC-32 and sizes; <see cref="Verified"/> when its data was checked against them.</summary>
internal readonly record struct ZipLocalMember(uint Crc32, long CompressedLength, long Length, bool Verified);
