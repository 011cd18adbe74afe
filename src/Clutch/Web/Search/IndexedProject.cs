using Clutch.Packaging;

namespace Clutch.Web.Search;

/// <summary>A project as search, the project list and the home page show it.</summary>
/// <param name="LatestVersion">What a plain install gets; null for a project with only developer links.</param>
/// <param name="LatestUrl">Its release page; null with <paramref name="LatestVersion"/>.</param>
/// <param name="Summary">The latest release's summary, as the catalog keeps it per file.</param>
/// <param name="NewestUpload">The newest file's upload time, its release's version and release page (null without files).</param>
public sealed record IndexedProject(
    ProjectName Name,
    string DisplayName,
    string? LatestVersion,
    string? LatestUrl,
    string? Summary,
    int FileCount,
    DateTimeOffset? NewestUpload,
    string? NewestUploadVersion,
    string? NewestUploadUrl)
{
    /// <summary>The project page.</summary>
    public string Url => $"/project/{Name.Value}/";
}

/// <summary>Every project at one moment, ordered by normalized name, with the index's counts.</summary>
public sealed class ProjectIndexSnapshot(IReadOnlyList<IndexedProject> projects, long generation)
{
    /// <summary>Every project, ordered by normalized name (ordinal).</summary>
    public IReadOnlyList<IndexedProject> Projects { get; } = projects;

    /// <summary>Files in the index.</summary>
    public long FileCount { get; } = projects.Sum(p => (long)p.FileCount);

    /// <summary>The projects with the newest uploads, newest first (at most ten).</summary>
    public IReadOnlyList<IndexedProject> LatestUploads { get; } =
        projects.Where(p => p.NewestUpload is not null).OrderByDescending(p => p.NewestUpload).ThenBy(p => p.Name.Value, StringComparer.Ordinal).Take(10).ToList();

    /// <summary>The change count this snapshot has seen (see <see cref="ProjectIndex"/>).</summary>
    internal long Generation { get; } = generation;

    private readonly Dictionary<string, IndexedProject> _byName = projects.ToDictionary(p => p.Name.Value, StringComparer.Ordinal);

    /// <summary>The project named <paramref name="name"/>, or null.</summary>
    public IndexedProject? Find(ProjectName name) => _byName.GetValueOrDefault(name.Value);
}
