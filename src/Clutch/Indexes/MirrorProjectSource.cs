using System.Collections.Concurrent;
using Clutch.Mirror;
using Clutch.Packaging;
using Clutch.Reads;
using Clutch.Storage;
using Clutch.Storage.Indexes;

namespace Clutch.Indexes;

/// <summary>
/// An index that lazily mirrors another simple index. A project's upstream page is fetched on the
/// first request, kept in the catalog (shared by every node, and kept across restarts) and served
/// for the index's TTL; after that it is revalidated with the upstream's ETag (a 304 costs no
/// body). When the upstream cannot be reached, a page fetched before is served stale (logged) and
/// tried again shortly; a page never fetched is an <see cref="UpstreamUnavailableException"/>, which
/// the index answers with 502 or 504. Files are listed under <c>{project}/{filename}</c> and fetched
/// on first download by <see cref="MirrorFiles"/>.
/// </summary>
public sealed partial class MirrorProjectSource(IndexDefinition definition, UpstreamClient client, IIndexStore store, TimeProvider time, ILogger logger) : IProjectSource
{
    /// <summary>How soon a page served stale (the upstream down) is tried upstream again.</summary>
    private static readonly TimeSpan StaleRetry = TimeSpan.FromSeconds(30);

    private readonly Uri _upstream = new(definition.Upstream!);
    private readonly ConcurrentDictionary<string, UpstreamFile> _files = new(StringComparer.Ordinal);

    // Names the upstream does not have, until when: a scan for random names (or a resolver asking for
    // the same missing name again and again) reaches the upstream once per name and minute at most.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _absent = new(StringComparer.Ordinal);
    private const int MaxAbsentNames = 10_000;

    public string Index => definition.Name;

    /// <summary>The upstream's project list is read again after the TTL (at least a second apart).</summary>
    public TimeSpan? ProjectListLifetime => definition.Ttl < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : definition.Ttl;

    /// <summary>The upstream as configured (with any credentials: for requests only, never shown).</summary>
    public Uri Upstream => _upstream;

    /// <summary>Never raised: mirrored pages go stale by their TTL, not by a change here.</summary>
    public event EventHandler<CatalogChangedEventArgs>? Changed
    {
        add { }
        remove { }
    }

    /// <summary>The upstream file listed under <paramref name="key"/> (<c>{project}/{filename}</c>) on a page read since this node started.</summary>
    public bool TryGetUpstreamFile(string key, out UpstreamFile file) => _files.TryGetValue(key, out file!);

    public async Task<ProjectDetail> ReadProjectAsync(ProjectName name, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_absent.TryGetValue(name.Value, out var absentUntil) && now < absentUntil)
        {
            return new ProjectDetail([], [], absentUntil);
        }

        var stored = await store.GetMirrorPageAsync(Index, name.Value, cancellationToken);
        if (stored is not null && now < stored.FetchedAt + definition.Ttl)
        {
            return Detail(name, UpstreamPageJson.DeserializeProject(stored.Body), stored.FetchedAt + definition.Ttl);
        }

        UpstreamResult<UpstreamProjectPage> fetched;
        try
        {
            fetched = await client.GetProjectAsync(_upstream, name.Value, stored?.ETag, cancellationToken);
        }
        catch (Exception e) when (stored is not null && e is UpstreamUnavailableException or UpstreamFormatException)
        {
            LogServedStale(logger, Index, name.Value, stored.FetchedAt, e.Message);
            return Detail(name, UpstreamPageJson.DeserializeProject(stored.Body), now + StaleRetry);
        }

        switch (fetched.Status)
        {
            case UpstreamStatus.NotModified when stored is not null:
                await store.PutMirrorPageAsync(stored with { FetchedAt = now, ETag = fetched.ETag ?? stored.ETag }, cancellationToken);
                return Detail(name, UpstreamPageJson.DeserializeProject(stored.Body), now + definition.Ttl);
            case UpstreamStatus.Ok:
                var page = fetched.Page!;
                await store.PutMirrorPageAsync(new MirrorPage(Index, name.Value, UpstreamPageJson.Serialize(page), fetched.ETag, now), cancellationToken);
                return Detail(name, page, now + definition.Ttl);
            default:
                // Not upstream (or a 304 for a page this index does not hold): no such project, asked
                // again after the TTL (a minute at most: a project may be published upstream any time).
                if (_absent.Count >= MaxAbsentNames)
                {
                    _absent.Clear();
                }

                var until = now + (definition.Ttl < TimeSpan.FromMinutes(1) ? definition.Ttl : TimeSpan.FromMinutes(1));
                _absent[name.Value] = until;
                return new ProjectDetail([], [], until);
        }
    }

    public async Task<IReadOnlyList<ProjectSummary>> ListProjectsAsync(CancellationToken cancellationToken)
    {
        var stored = await store.GetMirrorPageAsync(Index, "", cancellationToken);
        var now = time.GetUtcNow();
        UpstreamRoot root;
        if (stored is not null && now < stored.FetchedAt + definition.Ttl)
        {
            root = UpstreamPageJson.DeserializeRoot(stored.Body);
        }
        else
        {
            try
            {
                var fetched = await client.GetRootAsync(_upstream, stored?.ETag, cancellationToken);
                if (fetched.Status == UpstreamStatus.Ok)
                {
                    root = fetched.Page!;
                    await store.PutMirrorPageAsync(new MirrorPage(Index, "", UpstreamPageJson.Serialize(root), fetched.ETag, now), cancellationToken);
                }
                else if (fetched.Status == UpstreamStatus.NotModified && stored is not null)
                {
                    root = UpstreamPageJson.DeserializeRoot(stored.Body);
                    await store.PutMirrorPageAsync(stored with { FetchedAt = now }, cancellationToken);
                }
                else
                {
                    root = new UpstreamRoot([]);
                }
            }
            catch (Exception e) when (stored is not null && e is UpstreamUnavailableException or UpstreamFormatException)
            {
                LogServedStale(logger, Index, "(root)", stored.FetchedAt, e.Message);
                root = UpstreamPageJson.DeserializeRoot(stored.Body);
            }
        }

        var byName = new SortedDictionary<string, ProjectSummary>(StringComparer.Ordinal);
        foreach (var n in root.Names)
        {
            if (ProjectName.IsValid(n))
            {
                var normalized = ProjectName.Normalize(n);
                byName.TryAdd(normalized.Value, new ProjectSummary(normalized, n, stored?.FetchedAt ?? now));
            }
        }

        return [.. byName.Values];
    }

    /// <summary>The whole-index links page of a mirror lists nothing: the upstream is not listed file by file.</summary>
    public IAsyncEnumerable<CatalogFile> StreamAllFilesAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<CatalogFile>();

    public Task<IReadOnlyList<DeveloperLink>> GetAllDeveloperLinksAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<DeveloperLink>>([]);

    /// <summary>
    /// The upstream page as this index lists it: files whose name parses as a distribution of the
    /// project and that come with a sha256 (a file that cannot be verified is not offered).
    /// </summary>
    private ProjectDetail Detail(ProjectName name, UpstreamProjectPage page, DateTimeOffset expiresAt)
    {
        var files = new List<CatalogFile>(page.Files.Count);
        var skipped = 0;
        foreach (var f in page.Files)
        {
            if (f.Sha256 is not { Length: 64 } sha256 || f.Filename.Contains('/', StringComparison.Ordinal)
                || !DistributionFilename.TryParse(f.Filename, name, out var parsed, out _) || parsed!.Project != name)
            {
                skipped++;
                continue;
            }

            var key = name.Value + "/" + f.Filename;
            _files[key] = f;
            files.Add(new CatalogFile
            {
                Path = key,
                Filename = f.Filename,
                Project = name,
                ProjectDisplayName = page.Name,
                Version = parsed.Version.Original,
                Type = parsed.Type,
                PythonTag = parsed.PythonTag,
                RequiresPython = f.RequiresPython,
                Sha256 = sha256,
                Md5 = "",
                Blake2b256 = "",
                Size = f.Size ?? -1,
                UploadTime = f.UploadTime ?? default,
                Yanked = f.Yanked,
                YankedReason = f.YankedReason,
                MetadataSha256 = f.HasCoreMetadata && f.CoreMetadataSha256 is { Length: 64 } metadata ? metadata : null,
            });
        }

        if (skipped > 0)
        {
            LogSkipped(logger, Index, name.Value, skipped);
        }

        return new ProjectDetail(ProjectReleases.Group(files), [], expiresAt);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Index {Index}: the upstream page of {Project} could not be refreshed ({Reason}); serving the one fetched at {FetchedAt:u}")]
    private static partial void LogServedStale(ILogger logger, string index, string project, DateTimeOffset fetchedAt, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Index {Index}: {Count} file(s) of {Project} upstream are not offered (no sha256, or not a distribution of the project)")]
    private static partial void LogSkipped(ILogger logger, string index, string project, int count);
}
