using Clutch.Packaging;
using Clutch.Storage;

namespace Clutch.Reads;

/// <summary>
/// A local index (the default one, or another with its own catalog): projects as its catalog records
/// them, dropped from caches when it reports a change.
/// </summary>
public sealed class CatalogProjectSource(ICatalog catalog, string index = "") : IProjectSource
{
    public string Index => index;

    public event EventHandler<CatalogChangedEventArgs>? Changed
    {
        add => catalog.Changed += value;
        remove => catalog.Changed -= value;
    }

    public async Task<ProjectDetail> ReadProjectAsync(ProjectName name, CancellationToken cancellationToken)
    {
        var files = await catalog.GetFilesAsync(name, cancellationToken).ConfigureAwait(false);
        var links = await catalog.GetDeveloperLinksAsync(name, cancellationToken).ConfigureAwait(false);
        return new ProjectDetail(ProjectReleases.Group(files), links);
    }

    public Task<IReadOnlyList<ProjectSummary>> ListProjectsAsync(CancellationToken cancellationToken) => catalog.ListProjectsAsync(cancellationToken);

    public IAsyncEnumerable<CatalogFile> StreamAllFilesAsync(CancellationToken cancellationToken) => catalog.StreamAllFilesAsync(cancellationToken);

    public Task<IReadOnlyList<DeveloperLink>> GetAllDeveloperLinksAsync(CancellationToken cancellationToken) => catalog.GetAllDeveloperLinksAsync(cancellationToken);
}
