using Clutch.Packaging;

namespace Clutch.Storage;

/// <summary>One distribution file as the catalog records it: the index of record for pages.</summary>
public sealed record CatalogFile
{
    /// <summary>Blob key: path relative to the blob root with '/' separators (<c>foo/foo-1.0.whl</c> or <c>foo-1.0.whl</c>).</summary>
    public required string Path { get; init; }

    /// <summary>The filename alone; unique across the index.</summary>
    public required string Filename { get; init; }

    public required ProjectName Project { get; init; }

    /// <summary>The project name as its authors spell it (metadata Name or filename); used when the project is first recorded.</summary>
    public string? ProjectDisplayName { get; init; }

    /// <summary>The version as written in the filename (legacy versions kept verbatim).</summary>
    public required string Version { get; init; }

    public required DistributionType Type { get; init; }

    public string? PythonTag { get; init; }

    /// <summary>Requires-Python from the file's metadata, raw (escaped when rendered).</summary>
    public string? RequiresPython { get; init; }

    public required string Sha256 { get; init; }
    public required string Md5 { get; init; }
    public required string Blake2b256 { get; init; }
    public required long Size { get; init; }

    /// <summary>When the index first saw these bytes (upload, or first scan of a dropped-in file).</summary>
    public required DateTimeOffset UploadTime { get; init; }

    /// <summary>The user who uploaded it; null for files dropped into the folder.</summary>
    public string? Uploader { get; init; }

    public bool Yanked { get; init; }
    public string? YankedReason { get; init; }

    /// <summary>sha256 of the extracted core metadata blob; null when none is served (PEP 658).</summary>
    public string? MetadataSha256 { get; init; }

    /// <summary>Summary from metadata, for the JSON API and UI.</summary>
    public string? Summary { get; init; }

    /// <summary>Source file modification time (UTC ticks) as seen when indexed; with Size, the rehash cache key.</summary>
    public long SourceMtimeTicks { get; init; }

    /// <summary>
    /// Source file inode and ctime as seen when indexed (with size and mtime, what tells a file
    /// replaced by hand from the one whose bytes were hashed); unknown for rows recorded before.
    /// </summary>
    public FileIdentity SourceIdentity { get; init; }

    /// <summary>
    /// Set on a file an inheriting index shows from one of its bases: the index that holds it ("" for
    /// the default index), whose URL serves it. Null for a file of the index being read. Not stored.
    /// </summary>
    public string? FromIndex { get; init; }

    /// <summary>
    /// False while md5 or blake2b-256 is still empty: an upload that sent sha256 only, until
    /// the digests are filled in from the stored file.
    /// </summary>
    public bool HasAllDigests => Md5.Length > 0 && Blake2b256.Length > 0;
}

/// <summary>A project on the root page.</summary>
public sealed record ProjectSummary(ProjectName Name, string DisplayName, DateTimeOffset LastChanged);

/// <summary>A developer link (VCS URL) published on the find-links page.</summary>
public sealed record DeveloperLink(ProjectName Project, string Url)
{
    /// <summary>Where the link came from (a <c>.links</c> file path, or "api"); set when read from the catalog.</summary>
    public string? Source { get; init; }
}

/// <summary>Which projects changed; <see cref="ProjectSetChanged"/> when projects appeared or disappeared.</summary>
public sealed class CatalogChangedEventArgs(IReadOnlyCollection<ProjectName> projects, bool projectSetChanged) : EventArgs
{
    public IReadOnlyCollection<ProjectName> Projects { get; } = projects;
    public bool ProjectSetChanged { get; } = projectSetChanged;
}
