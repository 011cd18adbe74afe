using Clutch.Packaging;
using Clutch.Storage;

namespace Clutch.Reads;

/// <summary>
/// Where an index's read path gets its projects: the one read service every page, the JSON API and
/// downloads are rendered from. The page cache sits on top of it and renders once per change
/// (or per expiry, for a source whose reads expire).
/// </summary>
public interface IProjectSource
{
    /// <summary>The index this source serves; "" for the default index at today's URLs.</summary>
    string Index { get; }

    /// <summary>Raised after a change of what this source returns (its own writes and other nodes').</summary>
    event EventHandler<CatalogChangedEventArgs>? Changed;

    /// <summary>One project's model; <see cref="ProjectDetail.Exists"/> is false for an unknown name.</summary>
    Task<ProjectDetail> ReadProjectAsync(ProjectName name, CancellationToken cancellationToken);

    /// <summary>Every project, ordered by normalized name.</summary>
    Task<IReadOnlyList<ProjectSummary>> ListProjectsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// How long the list of projects stays current by itself (an upstream's list, read again after
    /// its TTL); null for a source that reports every change of it.
    /// </summary>
    TimeSpan? ProjectListLifetime => null;

    /// <summary>Every file ordered by project, then filename, read as it streams (the whole-index links page).</summary>
    IAsyncEnumerable<CatalogFile> StreamAllFilesAsync(CancellationToken cancellationToken);

    /// <summary>Every developer link, ordered by project.</summary>
    Task<IReadOnlyList<DeveloperLink>> GetAllDeveloperLinksAsync(CancellationToken cancellationToken);
}
