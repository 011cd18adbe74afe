using System.Collections.Concurrent;
using Clutch.Packaging;
using Clutch.Pages;
using Clutch.Reads;
using Clutch.Storage;

namespace Clutch.Web.Search;

/// <summary>
/// The in-memory list of projects that search, <c>/projects/</c> and the home page read: name,
/// display name, latest version, summary, counts. Built once from one pass over the index's files,
/// then kept current from the source's change events: a change marks its projects, and the next
/// request re-reads just those (through the <see cref="PageCache"/>, which the project pages use too).
/// A burst of changes costs one refresh, not one per change; requests between changes cost nothing.
/// </summary>
public sealed class ProjectIndex : IDisposable
{
    /// <summary>More changed projects than this at once are read again in one pass over every file.</summary>
    private const int IncrementalLimit = 256;

    private readonly IProjectSource _source;
    private readonly PageCache _cache;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly ConcurrentDictionary<ProjectName, byte> _pending = new();
    private volatile ProjectIndexSnapshot? _snapshot;
    private long _generation;
    private int _projectSetChanged;

    public ProjectIndex(IProjectSource source, PageCache cache)
    {
        _source = source;
        _cache = cache;
        _source.Changed += OnChanged;
    }

    /// <summary>The current list: the last one built when nothing changed since, else refreshed first.</summary>
    public Task<ProjectIndexSnapshot> GetAsync(CancellationToken cancellationToken)
    {
        var snapshot = _snapshot;
        return snapshot is not null && snapshot.Generation == Interlocked.Read(ref _generation)
            ? Task.FromResult(snapshot)
            : RefreshAsync(cancellationToken);
    }

    public void Dispose()
    {
        _source.Changed -= OnChanged;
        _refresh.Dispose();
    }

    private void OnChanged(object? sender, CatalogChangedEventArgs e)
    {
        // Projects first, then the count: a refresh that saw the new count also sees the projects.
        foreach (var p in e.Projects)
        {
            _pending[p] = 0;
        }

        if (e.ProjectSetChanged)
        {
            Volatile.Write(ref _projectSetChanged, 1);
        }

        Interlocked.Increment(ref _generation);
    }

    private async Task<ProjectIndexSnapshot> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            var generation = Interlocked.Read(ref _generation);
            var old = _snapshot;
            if (old is not null && old.Generation == generation)
            {
                return old;
            }

            var changed = _pending.Keys.ToList();
            foreach (var name in changed)
            {
                _pending.TryRemove(name, out _);
            }

            var setChanged = Interlocked.Exchange(ref _projectSetChanged, 0) == 1;
            var snapshot = old is null || changed.Count > IncrementalLimit || (setChanged && changed.Count == 0)
                ? await BuildAllAsync(generation, cancellationToken)
                : await UpdateAsync(old, changed, generation);
            _snapshot = snapshot;
            return snapshot;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>One pass over every file (ordered by project) and the project list (for display names and link-only projects).</summary>
    private async Task<ProjectIndexSnapshot> BuildAllAsync(long generation, CancellationToken cancellationToken)
    {
        var names = (await _cache.GetRootAsync()).Projects;
        var byName = new Dictionary<ProjectName, List<CatalogFile>>();
        await foreach (var file in _source.StreamAllFilesAsync(cancellationToken))
        {
            if (!byName.TryGetValue(file.Project, out var files))
            {
                byName[file.Project] = files = [];
            }

            files.Add(file);
        }

        var projects = new List<IndexedProject>(names.Count);
        foreach (var summary in names)
        {
            var releases = byName.TryGetValue(summary.Name, out var files) ? ProjectReleases.Group(files) : [];
            projects.Add(Entry(summary.Name, summary.DisplayName, releases));
        }

        return Sorted(projects, generation);
    }

    /// <summary>The previous list with the changed projects read again (gone ones dropped, new ones added).</summary>
    private async Task<ProjectIndexSnapshot> UpdateAsync(ProjectIndexSnapshot old, List<ProjectName> changed, long generation)
    {
        var projects = old.Projects.ToDictionary(p => p.Name);
        var names = (await _cache.GetRootAsync()).Projects;
        var wanted = changed.ToHashSet();
        var displayNames = names.Where(n => wanted.Contains(n.Name)).ToDictionary(n => n.Name, n => n.DisplayName);
        foreach (var name in changed)
        {
            var detail = await _cache.GetDetailAsync(name);
            if (!detail.Exists)
            {
                projects.Remove(name);
                continue;
            }

            var display = displayNames.GetValueOrDefault(name) ?? (projects.TryGetValue(name, out var known) ? known.DisplayName : name.Value);
            projects[name] = Entry(name, display, detail.Releases);
        }

        return Sorted(projects.Values, generation);
    }

    private static ProjectIndexSnapshot Sorted(IEnumerable<IndexedProject> projects, long generation) =>
        new(projects.OrderBy(p => p.Name.Value, StringComparer.Ordinal).ToList(), generation);

    private static IndexedProject Entry(ProjectName name, string displayName, IReadOnlyList<Release> releases)
    {
        var latest = ProjectReleases.Latest(releases);
        Release? newestRelease = null;
        DateTimeOffset? newest = null;
        var files = 0;
        foreach (var release in releases)
        {
            foreach (var file in release.Files)
            {
                files++;
                if (newest is null || file.UploadTime > newest)
                {
                    newest = file.UploadTime;
                    newestRelease = release;
                }
            }
        }

        return new IndexedProject(
            name,
            displayName,
            latest?.Version.Original,
            latest is null ? null : ProjectPages.ReleaseUrl(name, latest),
            latest?.Files.Select(f => f.Summary).FirstOrDefault(s => !string.IsNullOrWhiteSpace(s)),
            files,
            newest,
            newestRelease?.Version.Original,
            newestRelease is null ? null : ProjectPages.ReleaseUrl(name, newestRelease));
    }
}
