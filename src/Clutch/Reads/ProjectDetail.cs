using Clutch.Storage;

namespace Clutch.Reads;

/// <summary>
/// A project as every rendering reads it (simple HTML and JSON, links pages, the JSON API): its files
/// grouped into releases and its developer links, read once from an <see cref="IProjectSource"/>.
/// </summary>
public sealed class ProjectDetail(IReadOnlyList<Release> releases, IReadOnlyList<DeveloperLink> links, DateTimeOffset? expiresAt = null)
{
    /// <summary>The files grouped by version, oldest first.</summary>
    public IReadOnlyList<Release> Releases { get; } = releases;

    /// <summary>Files in page order (by version, then filename).</summary>
    public IReadOnlyList<CatalogFile> Files { get; } = releases.SelectMany(r => r.Files).ToArray();

    public IReadOnlyList<DeveloperLink> Links { get; } = links;

    /// <summary>True when the project has files or developer links.</summary>
    public bool Exists => Files.Count > 0 || Links.Count > 0;

    /// <summary>
    /// When what was read goes stale by itself (a page proxied from an upstream index); null for a
    /// local source, whose pages are dropped when it reports a change.
    /// </summary>
    public DateTimeOffset? ExpiresAt { get; } = expiresAt;
}
