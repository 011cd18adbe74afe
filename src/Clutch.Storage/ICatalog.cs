using System.Runtime.CompilerServices;
using Clutch.Packaging;

namespace Clutch.Storage;

/// <summary>
/// The index of record: projects, files, developer links. Pages are rendered from it, never from a
/// folder scan. Implementations raise <see cref="Changed"/> after every committed change (and, when
/// several nodes share one catalog, for changes made by other nodes).
/// </summary>
public interface ICatalog
{
    event EventHandler<CatalogChangedEventArgs>? Changed;

    /// <summary>Whether the catalog answers (for /health/ready); the reason when it does not.</summary>
    Task<string?> CheckAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>Creates or upgrades the schema (versioned migrations).</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Every project with at least one file or developer link, ordered by normalized name.</summary>
    Task<IReadOnlyList<ProjectSummary>> ListProjectsAsync(CancellationToken cancellationToken);

    /// <summary>The files of one project (any order); empty when unknown.</summary>
    Task<IReadOnlyList<CatalogFile>> GetFilesAsync(ProjectName project, CancellationToken cancellationToken);

    /// <summary>A file by its filename (filenames are unique in the index).</summary>
    Task<CatalogFile?> FindFileAsync(string filename, CancellationToken cancellationToken);

    /// <summary>Every file, for reconciling against the blob store (path, size, mtime).</summary>
    Task<IReadOnlyList<CatalogFile>> GetAllFilesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Every file ordered by project, then filename (ordinal), read as it streams: for pages that list
    /// the whole index, which must not hold every row at once. Providers should override the default.
    /// </summary>
    async IAsyncEnumerable<CatalogFile> StreamAllFilesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var files = await GetAllFilesAsync(cancellationToken);
        foreach (var f in files.OrderBy(f => f.Project.Value, StringComparer.Ordinal).ThenBy(f => f.Filename, StringComparer.Ordinal))
        {
            yield return f;
        }
    }

    /// <summary>Adds or replaces files by path, in one transaction; raises one <see cref="Changed"/>.</summary>
    Task UpsertFilesAsync(IReadOnlyCollection<CatalogFile> files, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a file only if no file of that filename exists (upload). Returns the existing file when
    /// there is one (caller compares digests), or null when this one was added.
    /// </summary>
    Task<CatalogFile?> TryAddFileAsync(CatalogFile file, CancellationToken cancellationToken);

    /// <summary>Removes files by path, in one transaction; raises one <see cref="Changed"/>.</summary>
    Task RemoveFilesAsync(IReadOnlyCollection<string> paths, CancellationToken cancellationToken);

    /// <summary>
    /// Records the md5 and blake2b-256 of a file stored without them (an upload that sent sha256
    /// only). Only fills digests still empty, and only while the file still has this sha256; false
    /// when nothing was updated. Raises <see cref="Changed"/> for the file's project.
    /// </summary>
    Task<bool> FillDigestsAsync(string path, string sha256, string md5, string blake2b256, CancellationToken cancellationToken);

    /// <summary>Paths of files whose md5 or blake2b-256 is not known yet.</summary>
    async Task<IReadOnlyList<string>> GetPathsMissingDigestsAsync(CancellationToken cancellationToken)
        => (await GetAllFilesAsync(cancellationToken)).Where(f => !f.HasAllDigests).Select(f => f.Path).ToList();

    /// <summary>Sets or clears the yank state of a file. False when the file is unknown.</summary>
    Task<bool> SetYankedAsync(string filename, bool yanked, string? reason, CancellationToken cancellationToken);

    /// <summary>
    /// Sets or clears the yank state of several files in one transaction: all of them change or, when
    /// the write fails (a full disk), none. Returns the filenames that matched a file.
    /// </summary>
    Task<IReadOnlyList<string>> SetYankedAsync(IReadOnlyCollection<string> filenames, bool yanked, string? reason, CancellationToken cancellationToken);

    /// <summary>Developer links of one project.</summary>
    Task<IReadOnlyList<DeveloperLink>> GetDeveloperLinksAsync(ProjectName project, CancellationToken cancellationToken);

    /// <summary>Every developer link, ordered by project.</summary>
    Task<IReadOnlyList<DeveloperLink>> GetAllDeveloperLinksAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the developer links of one source (a <c>.links</c> file path, or "api").</summary>
    Task ReplaceDeveloperLinksAsync(string source, IReadOnlyCollection<DeveloperLink> links, CancellationToken cancellationToken);
}
