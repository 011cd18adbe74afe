using System.Security.Cryptography;
using Clutch.Auth;
using Clutch.Packaging;
using Clutch.Storage;
using Clutch.Storage.Folder;

namespace Clutch.Upload;

/// <summary>How an accepted upload ended.</summary>
public enum CommitOutcome
{
    /// <summary>Stored and listed.</summary>
    Added,

    /// <summary>The same bytes were already there: nothing changed.</summary>
    AlreadyPresent,

    /// <summary>Other bytes are already stored under this filename.</summary>
    Conflict,

    /// <summary>Someone else owns the project (claimed while this upload was in flight).</summary>
    Forbidden,
}

/// <summary>
/// Makes a validated upload visible: blob first (a rename into the folder), then the catalog row,
/// and only the row makes it visible. Uploads of one filename are committed one at a time in this
/// node; across writers the blob put without overwrite and the catalog's TryAdd decide.
/// </summary>
public sealed class UploadCommitter(
    ICatalog catalog, IBlobStore blobs, ProjectPermissions permissions, DigestBackfill backfill, IndexerHints hints, TimeProvider time, ILogger<UploadCommitter> logger)
{
    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    public async Task<CommitOutcome> CommitAsync(UploadForm form, ValidatedUpload upload, Caller caller, CancellationToken cancellationToken)
    {
        var name = upload.Name;
        var stripe = _stripes[(StringComparer.Ordinal.GetHashCode(name.Filename) & int.MaxValue) % _stripes.Length];
        await stripe.WaitAsync(cancellationToken);
        try
        {
            if (await catalog.FindFileAsync(name.Filename, cancellationToken) is { } existing)
            {
                return Same(existing, upload) ? CommitOutcome.AlreadyPresent : CommitOutcome.Conflict;
            }

            if (!await permissions.ClaimForUploadAsync(caller, name.Project, cancellationToken))
            {
                return CommitOutcome.Forbidden;
            }

            return await StoreAsync(form, upload, caller, cancellationToken);
        }
        finally
        {
            stripe.Release();
        }
    }

    private async Task<CommitOutcome> StoreAsync(UploadForm form, ValidatedUpload upload, Caller caller, CancellationToken cancellationToken)
    {
        var name = upload.Name;
        var key = name.Project.Value + "/" + name.Filename;
        string? metadataSha256 = null;
        var storedMetadata = false;
        var storedFile = false;
        var listed = false;

        // Held from before the file appears in the folder until its row is written: the folder
        // indexer, seeing the file arrive, leaves it to this upload (an upload's row is the record).
        using var hold = hints.Hold(key);
        try
        {
            if (name.Type == DistributionType.Wheel && upload.Inspection is { } inspection)
            {
                // Metadata before the file: once a page lists the file, its PEP 658 metadata is there.
                metadataSha256 = Convert.ToHexStringLower(SHA256.HashData(inspection.MetadataBytes));
                using var bytes = new MemoryStream(inspection.MetadataBytes, writable: false);
                storedMetadata = await blobs.PutAsync(BlobKeys.Metadata(upload.Digests.Sha256), bytes, metadataSha256, cancellationToken) == BlobPutResult.Stored;
            }

            var put = await blobs.PutFileAsync(key, form.TempPath!, upload.Digests.Sha256, cancellationToken);
            storedFile = put == BlobPutResult.Stored;
            if (put == BlobPutResult.Conflict)
            {
                // A file the catalog does not list yet (dropped into the folder by hand) holds the name.
                return CommitOutcome.Conflict;
            }

            var info = await blobs.GetInfoAsync(key, cancellationToken);
            var file = ToCatalogFile(form, upload, caller, key, metadataSha256, info);
            var existing = await catalog.TryAddFileAsync(file, cancellationToken);
            if (existing is null)
            {
                listed = true;
                UploadLog.Stored(logger, key, upload.Digests.Sha256, caller.UserName);
                if (!file.HasAllDigests)
                {
                    backfill.Enqueue(key);
                }

                return CommitOutcome.Added;
            }

            if (!Same(existing, upload))
            {
                return CommitOutcome.Conflict;
            }

            listed = existing.Path == key;
            if (listed && existing.Uploader is null)
            {
                // The folder indexer saw the renamed file and listed it first: record who uploaded it
                // (keeping the digests the indexer computed where this upload skipped them).
                var merged = file with
                {
                    UploadTime = existing.UploadTime,
                    Md5 = file.Md5.Length > 0 ? file.Md5 : existing.Md5,
                    Blake2b256 = file.Blake2b256.Length > 0 ? file.Blake2b256 : existing.Blake2b256,
                };
                await catalog.UpsertFilesAsync([merged], cancellationToken);
                if (!merged.HasAllDigests)
                {
                    backfill.Enqueue(key);
                }
            }

            return listed ? CommitOutcome.Added : CommitOutcome.AlreadyPresent;
        }
        finally
        {
            if (!listed)
            {
                await UndoAsync(key, upload.Digests.Sha256, storedFile, storedMetadata);
            }
        }
    }

    /// <summary>
    /// Removes what this upload put into the store but did not list (nothing half-stored). A key the
    /// catalog lists is kept (another writer's file, or this upload's own row when the catalog went
    /// away just after writing it), and so is everything when the catalog cannot say: a stray blob
    /// only keeps its filename taken for other bytes, a listed file without its bytes is a broken download.
    /// </summary>
    private async Task UndoAsync(string key, string sha256, bool storedFile, bool storedMetadata)
    {
        if (!storedFile && !storedMetadata)
        {
            return;
        }

        CatalogFile? listed;
        try
        {
            listed = await catalog.FindFileAsync(key[(key.IndexOf('/') + 1)..], CancellationToken.None);
        }
        catch (StorageUnavailableException e)
        {
            UploadLog.UndoSkipped(logger, key, e.Message);
            return;
        }

        if (storedFile && listed?.Path != key)
        {
            await blobs.DeleteAsync(key, CancellationToken.None);
        }

        if (storedMetadata && listed is null)
        {
            await blobs.DeleteAsync(BlobKeys.Metadata(sha256), CancellationToken.None);
        }
    }

    private static bool Same(CatalogFile existing, ValidatedUpload upload) =>
        string.Equals(existing.Sha256, upload.Digests.Sha256, StringComparison.OrdinalIgnoreCase);

    private CatalogFile ToCatalogFile(UploadForm form, ValidatedUpload upload, Caller caller, string key, string? metadataSha256, BlobInfo? info)
    {
        var name = upload.Name;
        var metadata = upload.Inspection?.Metadata;
        var displayName = metadata?.Name is { Length: > 0 } n && name.Project.Matches(n.Trim()) ? n.Trim() : form.Get("name");
        return new CatalogFile
        {
            Path = key,
            Filename = name.Filename,
            Project = name.Project,
            ProjectDisplayName = displayName,
            Version = name.Version.Original,
            Type = name.Type,
            PythonTag = name.PythonTag,
            RequiresPython = metadata is null ? form.Get("requires_python") : metadata.RequiresPython,
            Summary = metadata is null ? form.Get("summary") : metadata.Summary,
            MetadataSha256 = metadataSha256,
            Sha256 = upload.Digests.Sha256,
            Md5 = upload.Digests.Md5,
            Blake2b256 = upload.Digests.Blake2b256,
            Size = upload.Digests.Size,
            UploadTime = time.GetUtcNow(),
            Uploader = caller.UserName,
            // With the size, what the folder indexer compares to know the file needs no re-hash.
            SourceMtimeTicks = info?.LastModified.UtcTicks ?? 0,
            SourceIdentity = info?.Identity ?? FileIdentity.Unknown,
        };
    }
}
