namespace Clutch.Web;

/// <summary>One version on a project page, linking to its release page.</summary>
public sealed record VersionRow(string Version, string Url, bool PreRelease, bool Yanked, string? YankReason);

/// <summary>People with a role in a project, by name.</summary>
public sealed record ProjectPeople(IReadOnlyList<string> Owners, IReadOnlyList<string> Maintainers);

/// <summary>What a page shows of a release's core metadata (all of it raw: the slice escapes it).</summary>
public sealed record MetadataFacts(
    string? Summary, string? RequiresPython, IReadOnlyList<string> RequiresDist, string? Author, string? Maintainer, string? License,
    IReadOnlyList<ProjectLink> Links, Readme? Readme);

/// <summary>The project page: <c>/project/{name}/</c>.</summary>
/// <param name="LatestVersion">What a plain install gets; null for a project with only developer links.</param>
public sealed record ProjectPageModel(
    string Name,
    string DisplayName,
    string? LatestVersion,
    string? LatestUrl,
    MetadataFacts Facts,
    IReadOnlyList<InstallSnippet> Install,
    IReadOnlyList<VersionRow> Versions,
    ProjectPeople People);
