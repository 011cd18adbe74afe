namespace Clutch.Web;

/// <summary>One version on a project page.</summary>
public sealed record VersionRow(string Version, bool PreRelease, bool Yanked, string? YankReason);

/// <summary>The project page: <c>/project/{name}/</c>.</summary>
public sealed record ProjectPageModel(
    string Name, string DisplayName, string LatestVersion, string? Summary, string IndexUrl, IReadOnlyList<VersionRow> Versions);
