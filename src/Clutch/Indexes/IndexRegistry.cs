using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Clutch.Auth;
using Clutch.Hosting;
using Clutch.Pages;
using Clutch.Reads;
using Clutch.Storage;
using Clutch.Storage.Folder;
using Clutch.Storage.Indexes;
using Clutch.Upload;

namespace Clutch.Indexes;

/// <summary>
/// The indexes this node answers besides the default one, built from their definitions in the
/// catalog: read at start, again every few seconds (another node or a CLI command may have created
/// or deleted one) and at once after this node's own changes. A definition that changed (its
/// allowed names) gets a new read path; an index whose base was rebuilt is rebuilt after it. The
/// stores of a local index stay open until the index is deleted.
/// </summary>
public sealed partial class IndexRegistry(
    IIndexStore store,
    ClutchOptions options,
    IBlobStore blobs,
    PageCache defaultCache,
    IProjectSource defaultSource,
    PageResponder responder,
    ProjectPermissions permissions,
    IndexerHints hints,
    ILeases leases,
    Mirror.UpstreamClient upstream,
    ILoggerFactory loggers,
    TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(3);

    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private readonly Dictionary<string, LocalStores> _stores = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<IndexRegistry>();
    private volatile Snapshot _current = Snapshot.Empty;

    /// <summary>The index named <paramref name="name"/> when this node knows it (no I/O).</summary>
    public bool TryGet(ReadOnlySpan<char> name, [NotNullWhen(true)] out IndexRuntime? index) =>
        _current.ByName.TryGetValue(name, out index);

    /// <summary>Every index this node answers, by name.</summary>
    public IReadOnlyList<IndexRuntime> All => _current.Ordered;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // The indexes answer from the first request on: read before the node takes traffic.
        await RefreshAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            foreach (var runtime in _current.Ordered)
            {
                runtime.Dispose();
            }

            _current = Snapshot.Empty;
            foreach (var stores in _stores.Values)
            {
                await stores.DisposeAsync();
            }

            _stores.Clear();
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    /// <summary>Reads the definitions and brings the runtimes in line with them.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            var definitions = await store.ListIndexesAsync(cancellationToken);
            var old = _current;
            var built = new Dictionary<string, IndexRuntime>(StringComparer.Ordinal);
            var rebuilt = new HashSet<string>(StringComparer.Ordinal);
            var retired = new List<IndexRuntime>();
            foreach (var definition in InBaseOrder(definitions))
            {
                var keep = old.ByName.TryGetValue(definition.Name, out var existing)
                    && Same(existing.Definition, definition)
                    && !definition.Bases.Any(rebuilt.Contains);
                if (keep)
                {
                    built[definition.Name] = existing!;
                    continue;
                }

                try
                {
                    built[definition.Name] = await BuildAsync(definition, built, cancellationToken);
                    rebuilt.Add(definition.Name);
                    if (existing is not null)
                    {
                        retired.Add(existing);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One broken index (its catalog unreachable) must not take the others down; it
                    // is tried again at the next refresh.
                    LogBuildFailed(_logger, definition.Name, e.Message);
                    if (existing is not null)
                    {
                        built[definition.Name] = existing;
                    }
                }
            }

            foreach (var gone in old.Ordered.Where(r => !built.ContainsKey(r.Name)))
            {
                retired.Add(gone);
            }

            _current = new Snapshot(built);
            foreach (var runtime in retired)
            {
                runtime.Dispose();
            }

            foreach (var name in _stores.Keys.Where(n => !built.ContainsKey(n)).ToArray())
            {
                await _stores[name].DisposeAsync();
                _stores.Remove(name);
            }
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    /// <summary>
    /// The stores of local index <paramref name="name"/>, opened while the registry holds it; for
    /// deleting an index, which must close them first (see <see cref="IndexService"/>).
    /// </summary>
    internal async Task CloseStoresAsync(string name, CancellationToken cancellationToken)
    {
        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            if (_current.ByName.TryGetValue(name, out var runtime))
            {
                _current = new Snapshot(_current.Ordered.Where(r => r.Name != name).ToDictionary(r => r.Name, StringComparer.Ordinal));
                runtime.Dispose();
            }

            if (_stores.Remove(name, out var stores))
            {
                await stores.DisposeAsync();
            }
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RefreshAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogRefreshFailed(_logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    private async Task<IndexRuntime> BuildAsync(IndexDefinition definition, Dictionary<string, IndexRuntime> built, CancellationToken cancellationToken)
    {
        LocalStores? local = null;
        MirrorProjectSource? mirror = null;
        IProjectSource source;
        if (definition.Upstream is not null)
        {
            mirror = new MirrorProjectSource(definition, upstream, store, time, loggers.CreateLogger<MirrorProjectSource>());
            source = mirror;
        }
        else
        {
            local = await OpenStoresAsync(definition, cancellationToken);
            source = new CatalogProjectSource(local.Storage.Catalog, definition.Name);
        }

        if (definition.Bases.Count > 0)
        {
            var bases = new List<(string, IProjectSource, PageCache)>();
            foreach (var name in definition.Bases)
            {
                if (name.Length == 0)
                {
                    bases.Add(("", defaultSource, defaultCache));
                }
                else if (built.TryGetValue(name, out var b))
                {
                    bases.Add((name, b.Source, b.Cache));
                }
                else
                {
                    throw new InvalidOperationException($"its base '{name}' is not available");
                }
            }

            source = new InheritingProjectSource(source, bases, definition.Allowed.ToHashSet(StringComparer.Ordinal));
        }

        // The indexes share the default index's page memory (one --page-cache-mb for the node); their
        // pages' gzip bytes are held in memory rather than in the default index's page store file.
        var cache = new PageCache(source, options, store: null, time, defaultCache.Budget);
        IBlobStore indexBlobs = local?.Storage.Blobs ?? new PrefixedBlobStore(blobs, PrefixedBlobStore.PrefixOf(definition.Name));
        return new IndexRuntime(definition, source, cache, responder, indexBlobs, local?.Storage, local?.Committer, mirror);
    }

    private async Task<LocalStores> OpenStoresAsync(IndexDefinition definition, CancellationToken cancellationToken)
    {
        var name = definition.Name;
        if (_stores.TryGetValue(name, out var open))
        {
            if (open.Created == definition.Created)
            {
                return open;
            }

            // Deleted and made again (elsewhere) between two refreshes: the stores are new ones.
            _stores.Remove(name);
            await open.DisposeAsync();
        }

        var storage = await IndexStorage.OpenAsync(name, options, blobs, loggers, time, cancellationToken);
        try
        {
            await storage.StartFeedAsync(loggers, cancellationToken);
            var backfill = new DigestBackfill(storage.Catalog, storage.Blobs, leases, loggers.CreateLogger<DigestBackfill>());
            await backfill.StartAsync(cancellationToken);
            var committer = new UploadCommitter(storage.Catalog, storage.Blobs, permissions, backfill, hints, time, loggers.CreateLogger<UploadCommitter>());
            open = new LocalStores(storage, committer, backfill, definition.Created);
            _stores[name] = open;
            return open;
        }
        catch
        {
            await storage.DisposeAsync();
            throw;
        }
    }

    /// <summary>Definitions ordered so every base comes before the indexes built on it (bases exist before their dependents are created).</summary>
    private static List<IndexDefinition> InBaseOrder(IReadOnlyList<IndexDefinition> definitions)
    {
        var byName = definitions.ToDictionary(d => d.Name, StringComparer.Ordinal);
        var ordered = new List<IndexDefinition>();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        void Place(IndexDefinition d, int depth)
        {
            if (depth > byName.Count || !placed.Add(d.Name))
            {
                return;
            }

            foreach (var b in d.Bases)
            {
                if (byName.TryGetValue(b, out var based))
                {
                    Place(based, depth + 1);
                }
            }

            ordered.Add(d);
        }

        foreach (var d in definitions)
        {
            Place(d, 0);
        }

        return ordered;
    }

    /// <summary>The same index with the same settings (an index deleted and made again has another creation time).</summary>
    private static bool Same(IndexDefinition a, IndexDefinition b) =>
        a.Name == b.Name && a.Created == b.Created && a.Upstream == b.Upstream && a.Ttl == b.Ttl && a.Private == b.Private
        && a.Uploaders.SequenceEqual(b.Uploaders)
        && a.Bases.SequenceEqual(b.Bases) && a.Allowed.Order(StringComparer.Ordinal).SequenceEqual(b.Allowed.Order(StringComparer.Ordinal));

    [LoggerMessage(Level = LogLevel.Error, Message = "Index {Index} cannot be served: {Reason}")]
    private static partial void LogBuildFailed(ILogger logger, string index, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the index definitions failed: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);

    private sealed record LocalStores(IndexStorage Storage, UploadCommitter Committer, DigestBackfill Backfill, DateTimeOffset Created) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Backfill.StopAsync(CancellationToken.None);
            Backfill.Dispose();
            await Storage.DisposeAsync();
        }
    }

    /// <summary>The runtimes at one moment: swapped whole, so a request sees one consistent set.</summary>
    private sealed class Snapshot
    {
        public static readonly Snapshot Empty = new(new Dictionary<string, IndexRuntime>(StringComparer.Ordinal));

        public Snapshot(Dictionary<string, IndexRuntime> runtimes)
        {
            var frozen = runtimes.ToFrozenDictionary(StringComparer.Ordinal);
            ByName = frozen.GetAlternateLookup<ReadOnlySpan<char>>();
            Ordered = [.. runtimes.Values.OrderBy(r => r.Name, StringComparer.Ordinal)];
        }

        public FrozenDictionary<string, IndexRuntime>.AlternateLookup<ReadOnlySpan<char>> ByName { get; }

        public IReadOnlyList<IndexRuntime> Ordered { get; }
    }
}
