using Clutch.Packaging;
using Clutch.Pages;
using Clutch.Reads;
using Clutch.Storage;

namespace Clutch.Indexes;

/// <summary>
/// An index with bases (devpi's model): a project shows the index's own files, then each base's in
/// order (each base as it shows itself, so inheritance is transitive). The dependency-confusion
/// guard: when the index has a project of its own, that project's files from the bases are hidden
/// unless the index allows the name, so nobody can shadow an internal package by publishing a
/// higher version of it upstream. A filename already shown is not shown again.
/// </summary>
public sealed class InheritingProjectSource : IProjectSource, IDisposable
{
    private readonly IProjectSource _own;
    private readonly IReadOnlyList<(string Name, IProjectSource Source, PageCache Cache)> _bases;
    private readonly IReadOnlySet<string> _allowed;

    public InheritingProjectSource(IProjectSource own, IReadOnlyList<(string Name, IProjectSource Source, PageCache Cache)> bases, IReadOnlySet<string> allowed)
    {
        _own = own;
        _bases = bases;
        _allowed = allowed;
        _own.Changed += Forward;
        foreach (var b in _bases)
        {
            b.Source.Changed += Forward;
        }
    }

    public string Index => _own.Index;

    /// <summary>The shortest lifetime of the lists shown: a mirror base's list is read again after its TTL.</summary>
    public TimeSpan? ProjectListLifetime =>
        _bases.Select(b => b.Source.ProjectListLifetime).Append(_own.ProjectListLifetime).Where(l => l is not null).Min();

    public event EventHandler<CatalogChangedEventArgs>? Changed;

    public async Task<ProjectDetail> ReadProjectAsync(ProjectName name, CancellationToken cancellationToken)
    {
        var own = await _own.ReadProjectAsync(name, cancellationToken);
        if (own.Exists && !_allowed.Contains(name.Value))
        {
            return own;
        }

        var files = new List<CatalogFile>(own.Files);
        var shown = new HashSet<string>(files.Select(f => f.Filename), StringComparer.Ordinal);
        var expires = own.ExpiresAt;
        foreach (var (baseName, _, cache) in _bases)
        {
            var detail = await cache.GetDetailAsync(name);
            expires = Earliest(expires, detail.ExpiresAt);
            foreach (var f in detail.Files)
            {
                if (shown.Add(f.Filename))
                {
                    // A file the base itself inherited keeps pointing at the index that holds it.
                    files.Add(f.FromIndex is null ? f with { FromIndex = baseName } : f);
                }
            }
        }

        return new ProjectDetail(ProjectReleases.Group(files), own.Links, expires);
    }

    public async Task<IReadOnlyList<ProjectSummary>> ListProjectsAsync(CancellationToken cancellationToken)
    {
        var byName = new SortedDictionary<string, ProjectSummary>(StringComparer.Ordinal);
        foreach (var p in await _own.ListProjectsAsync(cancellationToken))
        {
            byName[p.Name.Value] = p;
        }

        foreach (var (_, _, cache) in _bases)
        {
            foreach (var p in (await cache.GetRootAsync()).Projects)
            {
                byName.TryAdd(p.Name.Value, p);
            }
        }

        return [.. byName.Values];
    }

    /// <summary>The whole-index links page lists the index's own files (a mirror's upstream cannot be listed file by file).</summary>
    public IAsyncEnumerable<CatalogFile> StreamAllFilesAsync(CancellationToken cancellationToken) => _own.StreamAllFilesAsync(cancellationToken);

    public Task<IReadOnlyList<DeveloperLink>> GetAllDeveloperLinksAsync(CancellationToken cancellationToken) => _own.GetAllDeveloperLinksAsync(cancellationToken);

    public void Dispose()
    {
        _own.Changed -= Forward;
        foreach (var b in _bases)
        {
            b.Source.Changed -= Forward;
        }
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    private void Forward(object? sender, CatalogChangedEventArgs e) => Changed?.Invoke(this, e);
}
