using Clutch.Packaging;
using Clutch.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Clutch.Manage;

/// <summary>
/// Yank, unyank, delete and dev-build retention: the one place for these rules, used by the HTTP
/// API, the CLI and the retention service alike. Permission checks belong to the callers.
/// </summary>
public sealed class ReleaseManager(ICatalog catalog, IBlobStore blobs, IDeletedFiles tombstones, TimeProvider time, ILogger<ReleaseManager>? logger = null)
{
    /// <summary>Who deletes files on behalf of <c>--keep-dev</c> and <c>clutch gc</c>.</summary>
    public const string RetentionActor = "retention";

    private readonly ILogger _logger = logger ?? NullLogger<ReleaseManager>.Instance;

    /// <summary>The longest yank or delete reason accepted (it is shown on every page that lists the file).</summary>
    public const int MaxReasonLength = 1000;

    /// <summary>A reason as stored: trimmed, null when empty; an error message when it is unacceptable.</summary>
    public static string? NormalizeReason(string? reason, out string? error)
    {
        error = null;
        var trimmed = reason?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        if (trimmed.Length > MaxReasonLength)
        {
            error = $"The reason is {trimmed.Length} characters long; at most {MaxReasonLength} are allowed.";
        }
        else if (trimmed.Any(char.IsControl))
        {
            error = "The reason must be one line of text without control characters.";
        }

        return trimmed;
    }

    /// <summary>Every project in the catalog, for retention over all of them.</summary>
    public async Task<IReadOnlyList<ProjectName>> ListProjectsAsync(CancellationToken cancellationToken) =>
        (await catalog.ListProjectsAsync(cancellationToken)).Select(p => p.Name).ToList();

    public async Task<ReleaseSelection> FindAsync(ProjectName project, ReleaseTarget target, CancellationToken cancellationToken)
    {
        var files = await catalog.GetFilesAsync(project, cancellationToken);
        return new ReleaseSelection(project, files, files.Where(target.Matches).ToList());
    }

    /// <summary>Marks the selected files yanked (PEP 592): installers skip them unless pinned. Yanking again replaces the reason.</summary>
    /// <summary>Does <paramref name="action"/> to the selected files: the one choice the management API and the owner pages share.</summary>
    public Task ApplyAsync(ReleaseSelection selection, ManageAction action, string? reason, string actor, CancellationToken cancellationToken) => action switch
    {
        ManageAction.Yank => YankAsync(selection, reason, actor, cancellationToken),
        ManageAction.Unyank => UnyankAsync(selection, actor, cancellationToken),
        _ => DeleteAsync(selection, actor, reason, cancellationToken),
    };

    public async Task YankAsync(ReleaseSelection selection, string? reason, string actor, CancellationToken cancellationToken)
    {
        // One transaction for the whole selection: a release is never left half yanked.
        var filenames = selection.Selected.Select(f => f.Filename).ToList();
        foreach (var filename in await catalog.SetYankedAsync(filenames, true, reason, cancellationToken))
        {
            ManageLog.Yanked(_logger, filename, actor, reason);
        }
    }

    public async Task UnyankAsync(ReleaseSelection selection, string actor, CancellationToken cancellationToken)
    {
        var filenames = selection.Selected.Select(f => f.Filename).ToList();
        foreach (var filename in await catalog.SetYankedAsync(filenames, false, null, cancellationToken))
        {
            ManageLog.Unyanked(_logger, filename, actor);
        }
    }

    /// <summary>
    /// Deletes the selected files for good: tombstone, catalog rows, file blob, metadata blob. The
    /// filenames cannot be uploaded again until <see cref="ReleaseFilenameAsync"/>.
    /// </summary>
    public async Task DeleteAsync(ReleaseSelection selection, string actor, string? reason, CancellationToken cancellationToken)
    {
        var doomed = selection.Selected;
        if (doomed.Count == 0)
        {
            return;
        }

        // Tombstones first: from here on an upload of these names is refused, so none can slip in
        // between the steps below and be deleted with them (or outlive its tombstone).
        // One transaction: a failed write (a full disk) leaves no filename tombstoned but still listed.
        var now = time.GetUtcNow();
        await tombstones.AddAsync(doomed.Select(f => new DeletedFile(f.Filename, f.Project, actor, now, reason)).ToList(), cancellationToken);

        // Rows before blobs: no page ever lists a file whose bytes are gone. The folder watcher then
        // sees a path disappear that the catalog no longer lists, which it ignores.
        var paths = doomed.Select(f => f.Path).ToList();
        await catalog.RemoveFilesAsync(paths, cancellationToken);

        // The rows are gone: finish the job even if the caller goes away, so no orphan bytes remain.
        var remaining = selection.ProjectFiles.Except(doomed).ToList();
        foreach (var file in doomed)
        {
            await blobs.DeleteAsync(file.Path, CancellationToken.None);
            // Metadata blobs are keyed by content, so identical bytes listed under another path share one.
            if (!remaining.Any(f => string.Equals(f.Sha256, file.Sha256, StringComparison.OrdinalIgnoreCase)))
            {
                await blobs.DeleteAsync(BlobKeys.Metadata(file.Sha256), CancellationToken.None);
            }

            ManageLog.Deleted(_logger, file.Path, actor, reason);
        }

        // A full folder scan that enumerated the folder between the row removal and the blob deletion
        // may have listed a file again; its bytes are gone now, so take the row away again (usually a
        // no-op, and the folder watcher would also remove it).
        await catalog.RemoveFilesAsync(paths, CancellationToken.None);
    }

    /// <summary>Lets a deleted filename be uploaded again (an admin's decision); false when it was not deleted.</summary>
    public Task<bool> ReleaseFilenameAsync(string filename, CancellationToken cancellationToken) =>
        tombstones.ReleaseAsync(filename, cancellationToken);

    public Task<DeletedFile?> FindDeletedAsync(string filename, CancellationToken cancellationToken) =>
        tombstones.FindAsync(filename, cancellationToken);

    /// <summary>
    /// Applies <see cref="DevRetention"/> to one project: deletes (or with <paramref name="dryRun"/>
    /// only lists) the files of pre/dev versions older than the newest <paramref name="keep"/>.
    /// </summary>
    /// <remarks>
    /// Expired filenames get tombstones like any delete, so they cannot be uploaded again (as on
    /// PyPI): a CI job that re-publishes an old dev build gets a clear refusal instead of the build
    /// silently coming back and being deleted again at the next pass.
    /// </remarks>
    public async Task<IReadOnlyList<CatalogFile>> ApplyRetentionAsync(ProjectName project, int keep, bool dryRun, CancellationToken cancellationToken)
    {
        var files = await catalog.GetFilesAsync(project, cancellationToken);
        var expired = DevRetention.Expired(files, keep);
        if (!dryRun)
        {
            await DeleteAsync(new ReleaseSelection(project, files, expired), RetentionActor, RetentionActor, cancellationToken);
        }

        return expired;
    }
}
