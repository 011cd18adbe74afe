using Clutch.Packaging;

namespace Clutch.Storage.Indexes;

/// <summary>
/// An index other than the default one: local (its own uploads), an upstream mirror, and/or
/// inheriting its bases' projects. The default index ("" at today's URLs) has no definition.
/// </summary>
/// <param name="Name">Lower-case letters, digits and '-', starting with a letter (checked by the server).</param>
/// <param name="Upstream">The simple index this one mirrors (<c>https://pypi.org/simple/</c>), or null for a local index.</param>
/// <param name="Bases">Indexes whose projects this one shows after its own, in order ("" is the default index).</param>
/// <param name="Ttl">How long a mirrored page is served before it is revalidated upstream.</param>
/// <param name="Private">True when reading needs a signed-in caller.</param>
/// <param name="Allowed">Normalized project names whose files from the bases stay visible even where this index has its own (the dependency-confusion guard's exceptions).</param>
public sealed record IndexDefinition(
    string Name,
    string? Upstream,
    IReadOnlyList<string> Bases,
    TimeSpan Ttl,
    bool Private,
    IReadOnlyList<string> Allowed,
    DateTimeOffset Created,
    string? CreatedBy)
{
    /// <summary>
    /// Users who may upload to (and promote into) this index besides admins; empty: every user the
    /// project's roles allow. Permissions scoped to the index, as devpi's upload ACL.
    /// </summary>
    public IReadOnlyList<string> Uploaders { get; init; } = [];
}

/// <summary>One file copied from one index to another by a promotion.</summary>
public sealed record Promotion(
    string FromIndex,
    string ToIndex,
    ProjectName Project,
    string Version,
    string Filename,
    string Sha256,
    string? Actor,
    DateTimeOffset At);

/// <summary>
/// An upstream page as last fetched: the parsed body (the mirror's own JSON, opaque to the store),
/// the upstream's ETag for revalidation, and when it was fetched or last revalidated.
/// <paramref name="Project"/> is "" for the upstream's root page (its project names).
/// </summary>
public sealed record MirrorPage(string Index, string Project, string Body, string? ETag, DateTimeOffset FetchedAt);

/// <summary>A file of a mirror kept in the blob store, for the size cap's least-recently-used eviction.</summary>
public sealed record MirrorFile(string Index, string Key, long Size, DateTimeOffset LastUsed);

/// <summary>
/// Index definitions and what the indexes keep beside their files: the guard's exceptions,
/// promotions, mirrored pages and the mirror file cache's ledger. Kept in the default catalog's
/// store (SQLite file or PostgreSQL database), shared by every node.
/// </summary>
public interface IIndexStore
{
    /// <summary>Every index, ordered by name.</summary>
    Task<IReadOnlyList<IndexDefinition>> ListIndexesAsync(CancellationToken cancellationToken);

    /// <summary>Adds an index; false when the name is taken. <see cref="IndexDefinition.Allowed"/> is stored too.</summary>
    Task<bool> CreateIndexAsync(IndexDefinition index, CancellationToken cancellationToken);

    /// <summary>Removes an index with its allowed names, mirrored pages and mirror file ledger rows; false when unknown.</summary>
    Task<bool> DeleteIndexAsync(string name, CancellationToken cancellationToken);

    /// <summary>Allows (or, with <paramref name="allowed"/> false, stops allowing) a project's files from the bases; false when the index is unknown.</summary>
    Task<bool> SetAllowedAsync(string index, ProjectName project, bool allowed, CancellationToken cancellationToken);

    /// <summary>Records promoted files in one transaction.</summary>
    Task RecordPromotionsAsync(IReadOnlyCollection<Promotion> promotions, CancellationToken cancellationToken);

    /// <summary>Promotions into or out of <paramref name="index"/> (every one when null), oldest first.</summary>
    Task<IReadOnlyList<Promotion>> ListPromotionsAsync(string? index, CancellationToken cancellationToken);

    /// <summary>The last fetched page of a mirrored project ("" for the root), or null.</summary>
    Task<MirrorPage?> GetMirrorPageAsync(string index, string project, CancellationToken cancellationToken);

    /// <summary>Stores (replacing) a fetched or revalidated page.</summary>
    Task PutMirrorPageAsync(MirrorPage page, CancellationToken cancellationToken);

    /// <summary>Records a file kept in the mirror cache (replacing a row of the same index and key).</summary>
    Task AddMirrorFileAsync(MirrorFile file, CancellationToken cancellationToken);

    /// <summary>Sets the last use of kept files (unknown keys are ignored), in one transaction.</summary>
    Task TouchMirrorFilesAsync(IReadOnlyCollection<(string Index, string Key)> files, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Every kept file, least recently used first.</summary>
    Task<IReadOnlyList<MirrorFile>> ListMirrorFilesAsync(CancellationToken cancellationToken);

    /// <summary>Forgets a kept file (after its blob was deleted); false when unknown.</summary>
    Task<bool> RemoveMirrorFileAsync(string index, string key, CancellationToken cancellationToken);
}
