namespace Clutch.Mirror;

/// <summary>One file listed on an upstream project page, as the upstream described it.</summary>
/// <param name="Filename">The distribution's filename (the anchor text, or the JSON <c>filename</c>).</param>
/// <param name="Url">Absolute URL of the file, without fragment or credentials.</param>
/// <param name="Sha256">The file's sha256 in lower-case hex, or null when the upstream gave none.</param>
/// <param name="RequiresPython">The <c>Requires-Python</c> specifier, unescaped, or null.</param>
/// <param name="Yanked">True when the upstream marks the file yanked (PEP 592).</param>
/// <param name="YankedReason">Why it was yanked, or null (also when yanked without a reason).</param>
/// <param name="HasCoreMetadata">True when the upstream serves the file's METADATA beside it (PEP 658 / 714).</param>
/// <param name="CoreMetadataSha256">The sha256 of that METADATA in lower-case hex, or null.</param>
/// <param name="Size">The file's size in bytes (PEP 700, JSON only), or null.</param>
/// <param name="UploadTime">When the file was uploaded (PEP 700, JSON only), or null.</param>
public sealed record UpstreamFile(
    string Filename,
    string Url,
    string? Sha256,
    string? RequiresPython,
    bool Yanked,
    string? YankedReason,
    bool HasCoreMetadata,
    string? CoreMetadataSha256,
    long? Size,
    DateTimeOffset? UploadTime);

/// <summary>An upstream project page: the project's name as the upstream spells it, and its files in page order.</summary>
public sealed record UpstreamProjectPage(string Name, IReadOnlyList<UpstreamFile> Files);

/// <summary>An upstream root page: every project name it lists, as the upstream spells them.</summary>
public sealed record UpstreamRoot(IReadOnlyList<string> Names);

/// <summary>What a page request came to.</summary>
public enum UpstreamStatus
{
    /// <summary>The page was fetched and parsed.</summary>
    Ok,

    /// <summary>The upstream confirmed the page behind the given ETag is still current (304).</summary>
    NotModified,

    /// <summary>The upstream does not have the page (404 or 410).</summary>
    NotFound,
}

/// <summary>The answer to a page request.</summary>
/// <param name="Status">What the request came to.</param>
/// <param name="Page">The parsed page when <see cref="Status"/> is <see cref="UpstreamStatus.Ok"/>, else null.</param>
/// <param name="ETag">The upstream's ETag for the page (as sent, quotes included), or the one given when a 304 repeated none; null when it sent none.</param>
public sealed record UpstreamResult<T>(UpstreamStatus Status, T? Page, string? ETag)
    where T : class;
