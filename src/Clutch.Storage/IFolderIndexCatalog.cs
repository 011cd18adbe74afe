namespace Clutch.Storage;

/// <summary>
/// What only the folder indexer needs of a catalog: the bookkeeping that tells a file it has
/// already indexed (path, size, mtime, inode and ctime) from one replaced by hand. A catalog that
/// can record the files of a package folder implements it beside <see cref="ICatalog"/>.
/// </summary>
public interface IFolderIndexCatalog
{
    /// <summary>Path, size, source mtime and identity of every file: the cheap read a warm-start reconcile of a large folder needs.</summary>
    Task<FileStateTable> GetFileStatesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// What the folder indexer writes: <see cref="ICatalog.UpsertFilesAsync"/>, except that a row
    /// already recording the very file the indexer looked at (same path, size, mtime, inode and
    /// ctime) is left as it is. Decided in the write itself, so a row an upload wrote while the
    /// indexer was hashing its file (uploader, display name, metadata) is never overwritten: an
    /// upload's row is the record.
    /// </summary>
    Task UpsertScannedFilesAsync(IReadOnlyCollection<CatalogFile> files, CancellationToken cancellationToken);
}
