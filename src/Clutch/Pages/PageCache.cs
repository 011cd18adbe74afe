using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Clutch.Hosting;
using Clutch.Links;
using Clutch.Packaging;
using Clutch.Reads;
using Clutch.Simple;
using Clutch.Storage;

namespace Clutch.Pages;

/// <summary>
/// The rendered-bytes cache of one index, on top of its <see cref="IProjectSource"/>: pages are
/// rendered once per change. Entries are dropped when the source reports a change (or when what
/// they were read from expires) and rebuilt lazily on the next request, so a burst of changes
/// costs one rebuild per page, not one per file. An entry is added before its read starts, so a
/// change committed during the read always drops it: a stale page is never kept. Project and links
/// pages keep their bytes in a <see cref="PageStore"/> file (in memory when there is none).
/// </summary>
public sealed class PageCache : IDisposable
{
    private readonly IProjectSource _source;
    private readonly TimeProvider _time;
    private readonly MemoryBudget _budget;
    private readonly PageStore? _store;
    private readonly ConcurrentDictionary<ProjectName, Lazy<Task<ProjectSnapshot>>> _projects = new(NameComparer.Instance);
    private readonly ConcurrentDictionary<ProjectName, Lazy<Task<ProjectSnapshot>>>.AlternateLookup<ReadOnlySpan<char>> _projectsBySpan;
    private readonly LazySlot<RootSnapshot> _root;
    private long _rootBuiltTicks;
    private readonly LazySlot<RenderedPage> _linksRoot;

    // Project builds at once: they are CPU work (a catalog read, three renders, gzip), so more than a
    // few only add memory: each holds a pooled SQLite connection with its page cache and a native
    // deflate state, and glibc keeps what a burst of them grew (RSS after the 100,000-file load).
    private readonly SemaphoreSlim _builds = new(Math.Max(2, Environment.ProcessorCount));

    public PageCache(IProjectSource source, ClutchOptions options, ILogger<PageCache> logger, TimeProvider? time = null)
        : this(source, options, PageStore.TryCreate(options.StateDirectory, logger, options.PageStoreRotateBytes), time)
    {
    }

    /// <param name="budget">The memory for copies of page bytes; shared by every index's cache (see <see cref="Budget"/>), a new one when null.</param>
    internal PageCache(IProjectSource source, ClutchOptions options, PageStore? store, TimeProvider? time = null, MemoryBudget? budget = null)
    {
        _source = source;
        _time = time ?? TimeProvider.System;
        _store = store;
        _budget = budget ?? new MemoryBudget(options.PageCacheMegabytes * 1024L * 1024);
        _root = new LazySlot<RootSnapshot>(BuildRootAsync);
        _linksRoot = new LazySlot<RenderedPage>(BuildLinksRootAsync);
        _projectsBySpan = _projects.GetAlternateLookup<ReadOnlySpan<char>>();
        _source.Changed += OnChanged;
        if (store is not null)
        {
            store.Rotated += OnStoreRotated;
        }
    }

    /// <summary>The index whose pages these are ("" for the default index).</summary>
    public string Index => _source.Index;

    /// <summary>The memory for copies of page bytes (<see cref="ClutchOptions.PageCacheMegabytes"/>), which the other indexes' caches share.</summary>
    internal MemoryBudget Budget => _budget;

    /// <summary>Where project and links pages keep their bytes; null when their gzip bytes are kept in memory.</summary>
    internal PageStore? Store => _store;

    /// <summary>The snapshot of a project; <see cref="ProjectSnapshot.Exists"/> is false for an unknown one.</summary>
    public Task<ProjectSnapshot> GetProjectAsync(ProjectName name)
    {
        if (_projects.TryGetValue(name, out var hit) && IsBuilt(hit) && !Expired(hit.Value.Result))
        {
            return hit.Value;
        }

        return GetProjectSlowAsync(name);
    }

    public Task<RootSnapshot> GetRootAsync()
    {
        // A list that goes stale by itself (an upstream's) is dropped once its lifetime is over.
        if (_source.ProjectListLifetime is { } lifetime && _time.GetUtcNow() - new DateTimeOffset(Interlocked.Read(ref _rootBuiltTicks), TimeSpan.Zero) >= lifetime)
        {
            _root.Invalidate();
            Interlocked.Exchange(ref _rootBuiltTicks, DateTimeOffset.MaxValue.UtcTicks); // until the rebuild notes its time
        }

        return _root.GetAsync();
    }

    /// <summary>
    /// The snapshot of the project named <paramref name="canonicalName"/> (already normalized, see
    /// <see cref="ProjectName.IsCanonical"/>) when it is built; false when it is not (yet), without building it.
    /// </summary>
    public bool TryGetBuiltProject(ReadOnlySpan<char> canonicalName, [NotNullWhen(true)] out ProjectSnapshot? snapshot)
    {
        if (_projectsBySpan.TryGetValue(canonicalName, out var hit) && IsBuilt(hit) && !Expired(hit.Value.Result))
        {
            snapshot = hit.Value.Result;
            return snapshot.Exists;
        }

        snapshot = null;
        return false;
    }

    /// <summary>
    /// A project's catalog rows as releases, for the JSON API: the snapshot's own while the GC has
    /// left them, otherwise read again (and kept with the snapshot until memory is needed).
    /// </summary>
    public async Task<ProjectDetail> GetDetailAsync(ProjectName name)
    {
        var snapshot = await GetProjectAsync(name).ConfigureAwait(false);
        if (snapshot.TryGetDetail(out var detail))
        {
            return detail;
        }

        detail = await ReadDetailAsync(name).ConfigureAwait(false);
        snapshot.SetDetail(detail);
        return detail;
    }

    public Task<RenderedPage> GetLinksRootAsync() => _linksRoot.GetAsync();

    public void Dispose()
    {
        _source.Changed -= OnChanged;
        _builds.Dispose();
        _store?.Dispose();
    }

    private static bool IsBuilt(Lazy<Task<ProjectSnapshot>> entry) => entry.IsValueCreated && entry.Value.IsCompletedSuccessfully;

    private bool Expired(ProjectSnapshot snapshot) => snapshot.ExpiresAt is { } at && _time.GetUtcNow() >= at;

    private async Task<ProjectSnapshot> GetProjectSlowAsync(ProjectName name)
    {
        if (_projects.TryGetValue(name, out var old) && IsBuilt(old) && Expired(old.Value.Result)
            && _projects.TryRemove(new KeyValuePair<ProjectName, Lazy<Task<ProjectSnapshot>>>(name, old)))
        {
            old.Value.Result.Release();
        }

        var lazy = _projects.GetOrAdd(name, static (n, self) => new Lazy<Task<ProjectSnapshot>>(() => self.BuildProjectAsync(n)), this);
        try
        {
            var snapshot = await lazy.Value.ConfigureAwait(false);
            if (!snapshot.Exists)
            {
                // Unknown names are not cached: a scan for random names must not grow memory.
                if (_projects.TryRemove(new KeyValuePair<ProjectName, Lazy<Task<ProjectSnapshot>>>(name, lazy)))
                {
                    snapshot.Release();
                }
            }

            return snapshot;
        }
        catch
        {
            _projects.TryRemove(new KeyValuePair<ProjectName, Lazy<Task<ProjectSnapshot>>>(name, lazy));
            throw;
        }
    }

    private async Task<ProjectSnapshot> BuildProjectAsync(ProjectName name)
    {
        await Task.Yield(); // off the Lazy's lock: waiters for this project await the task instead
        await _builds.WaitAsync().ConfigureAwait(false);
        try
        {
            return new ProjectSnapshot(name, await ReadDetailAsync(name).ConfigureAwait(false), _budget, _store);
        }
        finally
        {
            _builds.Release();
        }
    }

    /// <summary>One read of a project from the source: its files grouped into releases, and its developer links.</summary>
    private Task<ProjectDetail> ReadDetailAsync(ProjectName name) => _source.ReadProjectAsync(name, CancellationToken.None);

    private async Task<RootSnapshot> BuildRootAsync()
    {
        await Task.Yield();
        Interlocked.Exchange(ref _rootBuiltTicks, _time.GetUtcNow().UtcTicks);
        var projects = await _source.ListProjectsAsync(CancellationToken.None).ConfigureAwait(false);
        return new RootSnapshot(projects);
    }

    private async Task<RenderedPage> BuildLinksRootAsync()
    {
        await Task.Yield();
        var links = await _source.GetAllDeveloperLinksAsync(CancellationToken.None).ConfigureAwait(false);
        return await RenderedPage.WriteCompressedAsync(output =>
            LinksPageWriter.WriteAsync(output, "Links", _source.StreamAllFilesAsync(CancellationToken.None), links, new FileHrefs("../files/", "../../")), _store).ConfigureAwait(false);
    }

    private void OnChanged(object? sender, CatalogChangedEventArgs e)
    {
        // The whole-index pages go first: once a request sees the change on a project's page, no
        // page that lists that project may still be the older one. (A reader that got the new
        // project page between the two steps could otherwise get the old /links/ page after it.)
        // The links root lists every file, so any change drops it; the simple root only lists names.
        _linksRoot.Invalidate()?.Release();
        if (e.ProjectSetChanged)
        {
            _root.Invalidate();
        }

        foreach (var p in e.Projects)
        {
            if (_projects.TryRemove(p, out var removed))
            {
                Release(removed);
            }
        }
    }

    /// <summary>
    /// New pages go to a fresh store file: every page is rendered again into it on its next request,
    /// so the old file, mostly replaced pages by now, is closed once the last page using it is gone.
    /// </summary>
    private void OnStoreRotated()
    {
        foreach (var entry in _projects)
        {
            _projects.TryRemove(entry);
        }

        _linksRoot.Invalidate();
    }

    /// <summary>The pages of a dropped entry count as replaced in the store (an entry still building releases nothing).</summary>
    private static void Release(Lazy<Task<ProjectSnapshot>> entry)
    {
        if (IsBuilt(entry))
        {
            entry.Value.Result.Release();
        }
    }

    /// <summary>Project names compared by their normalized text, also against a span of it (allocation-free lookups).</summary>
    private sealed class NameComparer : IEqualityComparer<ProjectName>, IAlternateEqualityComparer<ReadOnlySpan<char>, ProjectName>
    {
        public static readonly NameComparer Instance = new();

        public bool Equals(ProjectName x, ProjectName y) => string.Equals(x.Value, y.Value, StringComparison.Ordinal);

        public int GetHashCode(ProjectName obj) => string.GetHashCode(obj.Value.AsSpan());

        public bool Equals(ReadOnlySpan<char> alternate, ProjectName other) => alternate.SequenceEqual(other.Value.AsSpan());

        public int GetHashCode(ReadOnlySpan<char> alternate) => string.GetHashCode(alternate);

        public ProjectName Create(ReadOnlySpan<char> alternate) => ProjectName.Normalize(alternate.ToString());
    }
}
