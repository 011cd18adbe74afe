using Clutch.Hosting;
using Clutch.Manage;
using Clutch.Packaging;
using Clutch.Storage;
using Clutch.Storage.Indexes;

namespace Clutch.Indexes;

/// <summary>A refused index operation: the HTTP status it answers and a one-line reason.</summary>
public sealed class IndexProblemException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>What <c>clutch index create</c> and <c>POST /api/indexes</c> ask for.</summary>
public sealed record IndexRequest(string Name, string? Upstream, IReadOnlyList<string> Bases, TimeSpan? Ttl, bool Private)
{
    /// <summary>Users who may upload to the index besides admins; empty: anyone the project's roles allow.</summary>
    public IReadOnlyList<string> Uploaders { get; init; } = [];
}

/// <summary>
/// Creating, deleting and changing indexes, and promoting releases between them: the rules the CLI
/// (on the stores directly) and the management API (through a running node) share. Every refusal is
/// an <see cref="IndexProblemException"/> with the status the API answers and nothing changed.
/// </summary>
public sealed class IndexService(IIndexStore store, ClutchOptions options, ICatalog defaultCatalog, IDeletedFiles defaultDeleted, IBlobStore blobs, ILoggerFactory loggers, TimeProvider time)
{
    /// <summary>How the CLI and API name the default index (which has no name of its own).</summary>
    public const string DefaultName = "default";

    /// <summary>A mirrored page is served this long before it is revalidated, unless the index says otherwise.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromMinutes(10);

    /// <summary>The stores of a local index the caller already holds open (a node's registry); null to open them here.</summary>
    public Func<string, IndexStorage?>? OpenStores { get; init; }

    public async Task<IndexDefinition> CreateAsync(IndexRequest request, string? actor, CancellationToken cancellationToken)
    {
        if (IndexNames.Problem(request.Name) is { } nameProblem)
        {
            throw new IndexProblemException(StatusCodes.Status400BadRequest, request.Name == DefaultName ? "The default index exists already; it has no definition." : nameProblem);
        }

        string? upstream = null;
        if (request.Upstream is { } given)
        {
            if (!Uri.TryCreate(given, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || url.Query.Length > 0 || url.Fragment.Length > 0)
            {
                throw new IndexProblemException(StatusCodes.Status400BadRequest, $"Upstream '{Redact(given)}' is not an http(s) URL of a simple index (like https://pypi.org/simple/).");
            }

            upstream = url.AbsoluteUri.EndsWith('/') ? url.AbsoluteUri : url.AbsoluteUri + "/";
        }

        var ttl = request.Ttl ?? DefaultTtl;
        if (ttl < TimeSpan.Zero || ttl > TimeSpan.FromDays(30))
        {
            throw new IndexProblemException(StatusCodes.Status400BadRequest, "The TTL must be between 0 and 30 days.");
        }

        var existing = await store.ListIndexesAsync(cancellationToken);
        var bases = new List<string>();
        foreach (var b in request.Bases.Select(b => b.Trim()).Where(b => b.Length > 0))
        {
            var name = b == DefaultName ? "" : b;
            if (name.Length > 0 && existing.All(e => e.Name != name))
            {
                throw new IndexProblemException(StatusCodes.Status400BadRequest, $"Base index '{b}' does not exist (create it first).");
            }

            if (bases.Contains(name))
            {
                throw new IndexProblemException(StatusCodes.Status400BadRequest, $"Base index '{b}' is named twice.");
            }

            if (!request.Private && existing.FirstOrDefault(e => e.Name == name) is { Private: true })
            {
                throw new IndexProblemException(StatusCodes.Status400BadRequest, $"Base index '{b}' is private; an index that inherits from it must be private too (--private).");
            }

            bases.Add(name);
        }

        var uploaders = request.Uploaders.Select(u => u.Trim()).Where(u => u.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (uploaders.Count > 0 && upstream is not null)
        {
            throw new IndexProblemException(StatusCodes.Status400BadRequest, "A mirror takes no uploads; --uploaders is for local indexes.");
        }

        var definition = new IndexDefinition(request.Name, upstream, bases, ttl, request.Private, [], time.GetUtcNow(), actor) { Uploaders = uploaders };
        if (!await store.CreateIndexAsync(definition, cancellationToken))
        {
            throw new IndexProblemException(StatusCodes.Status409Conflict, $"Index '{request.Name}' exists already.");
        }

        return definition;
    }

    public Task<IReadOnlyList<IndexDefinition>> ListAsync(CancellationToken cancellationToken) => store.ListIndexesAsync(cancellationToken);

    public Task<IReadOnlyList<Promotion>> ListPromotionsAsync(string index, CancellationToken cancellationToken) => store.ListPromotionsAsync(index, cancellationToken);

    public async Task<IndexDefinition> GetAsync(string name, CancellationToken cancellationToken) =>
        (await store.ListIndexesAsync(cancellationToken)).FirstOrDefault(i => i.Name == name)
        ?? throw new IndexProblemException(StatusCodes.Status404NotFound, $"There is no index '{Shown(name)}'.");

    /// <summary>
    /// Deletes an index with its files and catalog. Refused while another index has it as a base.
    /// <paramref name="closeStores"/> lets a node close its own handles on the stores first.
    /// </summary>
    public async Task DeleteAsync(string name, Func<string, Task>? closeStores, CancellationToken cancellationToken)
    {
        var index = await GetAsync(name, cancellationToken);
        var dependents = (await store.ListIndexesAsync(cancellationToken)).Where(i => i.Bases.Contains(name)).Select(i => i.Name).ToList();
        if (dependents.Count > 0)
        {
            throw new IndexProblemException(StatusCodes.Status409Conflict, $"Index '{name}' is a base of {string.Join(", ", dependents)}; delete or change those first.");
        }

        // A mirror's fetched files go first (the ledger, removed with the definition, lists them).
        var indexBlobs = new PrefixedBlobStore(blobs, PrefixedBlobStore.PrefixOf(index.Name));
        foreach (var kept in (await store.ListMirrorFilesAsync(cancellationToken)).Where(f => f.Index == index.Name))
        {
            await indexBlobs.DeleteAsync(kept.Key, cancellationToken);
        }

        // Then the definition: from then on no node serves the index; then a local index's stores go.
        await store.DeleteIndexAsync(index.Name, cancellationToken);
        if (closeStores is not null)
        {
            await closeStores(index.Name);
        }

        if (index.Upstream is null)
        {
            var storage = await IndexStorage.OpenAsync(index.Name, options, blobs, loggers, time, cancellationToken);
            await storage.DestroyAsync(cancellationToken);
        }
    }

    /// <summary>Lets (or stops letting) the bases' files of <paramref name="project"/> show in <paramref name="name"/> beside its own.</summary>
    public async Task<IndexDefinition> AllowAsync(string name, string project, bool allowed, CancellationToken cancellationToken)
    {
        if (!ProjectName.IsValid(project))
        {
            throw new IndexProblemException(StatusCodes.Status400BadRequest, $"'{Shown(project)}' is not a valid project name.");
        }

        var index = await GetAsync(name, cancellationToken);
        if (!await store.SetAllowedAsync(index.Name, ProjectName.Normalize(project), allowed, cancellationToken))
        {
            throw new IndexProblemException(StatusCodes.Status404NotFound, $"There is no index '{Shown(name)}'.");
        }

        return await GetAsync(name, cancellationToken);
    }

    /// <summary>
    /// Copies every file of <paramref name="project"/>==<paramref name="version"/> from one local index to
    /// another (the same bytes and digests, metadata included) and records who did it. All or nothing
    /// when checked: refused when the target holds another file under one of the filenames, or deleted
    /// one of them; files already there with the same bytes are skipped.
    /// </summary>
    public async Task<IReadOnlyList<Promotion>> PromoteAsync(string project, string version, string from, string to, string? actor, CancellationToken cancellationToken)
    {
        if (!ProjectName.IsValid(project))
        {
            throw new IndexProblemException(StatusCodes.Status400BadRequest, $"'{Shown(project)}' is not a valid project name.");
        }

        if (from == to)
        {
            throw new IndexProblemException(StatusCodes.Status400BadRequest, "Promotion needs two different indexes.");
        }

        var name = ProjectName.Normalize(project);
        await using var source = await OpenLocalAsync(from, cancellationToken);
        await using var target = await OpenLocalAsync(to, cancellationToken);
        var selection = await new ReleaseManager(source.Catalog, source.Blobs, source.Deleted, time).FindAsync(name, ReleaseTarget.Release(version), cancellationToken);
        if (selection.Selected.Count == 0)
        {
            throw new IndexProblemException(StatusCodes.Status404NotFound, $"Index '{from}' has no {name}=={version}.");
        }

        var copies = new List<CatalogFile>();
        foreach (var file in selection.Selected)
        {
            if (await target.Deleted.FindAsync(file.Filename, cancellationToken) is not null)
            {
                throw new IndexProblemException(StatusCodes.Status409Conflict, $"Filename '{file.Filename}' was deleted from index '{to}' and cannot be reused.");
            }

            if (await target.Catalog.FindFileAsync(file.Filename, cancellationToken) is { } there)
            {
                if (!string.Equals(there.Sha256, file.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new IndexProblemException(StatusCodes.Status409Conflict, $"Index '{to}' already has a different file named '{file.Filename}'; nothing was promoted.");
                }

                continue;
            }

            copies.Add(file);
        }

        var now = time.GetUtcNow();
        var promoted = new List<Promotion>();
        foreach (var file in copies)
        {
            await CopyAsync(source.Blobs, target.Blobs, file, cancellationToken);
            var listed = file with { UploadTime = now, FromIndex = null, SourceMtimeTicks = 0, SourceIdentity = FileIdentity.Unknown, ProjectDisplayName = file.ProjectDisplayName };
            if (await target.Catalog.TryAddFileAsync(listed, cancellationToken) is { } raced && !string.Equals(raced.Sha256, file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new IndexProblemException(StatusCodes.Status409Conflict, $"Index '{to}' got a different file named '{file.Filename}' meanwhile; it was not promoted.");
            }

            promoted.Add(new Promotion(from, to, name, file.Version, file.Filename, file.Sha256, actor, now));
        }

        if (promoted.Count > 0)
        {
            await store.RecordPromotionsAsync(promoted, cancellationToken);
        }

        return promoted;
    }

    /// <summary>Copies a file's bytes (and its metadata) between stores, checking the digest as they stream.</summary>
    private static async Task CopyAsync(IBlobStore from, IBlobStore to, CatalogFile file, CancellationToken cancellationToken)
    {
        if (file.MetadataSha256 is { } metadataSha)
        {
            await using var metadata = await from.OpenReadAsync(BlobKeys.Metadata(file.Sha256), cancellationToken);
            await to.PutAsync(BlobKeys.Metadata(file.Sha256), metadata, metadataSha, cancellationToken);
        }

        await using var bytes = await from.OpenReadAsync(file.Path, cancellationToken);
        if (await to.PutAsync(file.Path, bytes, file.Sha256, cancellationToken) == BlobPutResult.Conflict)
        {
            throw new IndexProblemException(StatusCodes.Status409Conflict, $"Index stores other bytes under '{file.Path}'; nothing was promoted.");
        }
    }

    private async Task<LocalIndex> OpenLocalAsync(string name, CancellationToken cancellationToken)
    {
        if (name == DefaultName || name.Length == 0)
        {
            return new LocalIndex(defaultCatalog, defaultDeleted, blobs, null);
        }

        var index = await GetAsync(name, cancellationToken);
        if (index.Upstream is not null)
        {
            throw new IndexProblemException(StatusCodes.Status400BadRequest, $"Index '{name}' is a mirror of {Redact(index.Upstream)}; releases are promoted between local indexes.");
        }

        if (OpenStores?.Invoke(name) is { } held)
        {
            return new LocalIndex(held.Catalog, held.DeletedFiles, held.Blobs, null);
        }

        var storage = await IndexStorage.OpenAsync(name, options, blobs, loggers, time, cancellationToken);
        return new LocalIndex(storage.Catalog, storage.DeletedFiles, storage.Blobs, storage);
    }

    /// <summary>The one-line refusal when <paramref name="index"/> limits its uploaders and the caller is not one (admins always may); null when allowed.</summary>
    public static string? UploadRefusal(IndexDefinition index, string userName, bool isAdmin) =>
        isAdmin || index.Uploaders.Count == 0 || index.Uploaders.Contains(userName)
            ? null
            : $"Index '{index.Name}' takes uploads and promotions from {string.Join(", ", index.Uploaders)} only, not '{userName}'.";

    /// <summary>An upstream URL as messages show it: without credentials.</summary>
    public static string Redact(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && u.UserInfo.Length > 0 ? new UriBuilder(u) { UserName = "", Password = "" }.Uri.AbsoluteUri : url;

    private static string Shown(string text) => Http.ProjectUrl.Show(text);

    private sealed record LocalIndex(ICatalog Catalog, IDeletedFiles Deleted, IBlobStore Blobs, IndexStorage? Owned) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Owned?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
