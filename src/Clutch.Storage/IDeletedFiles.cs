using Clutch.Packaging;

namespace Clutch.Storage;

/// <summary>A filename that was deleted and may not be uploaded again (like PyPI) unless an admin releases it.</summary>
public sealed record DeletedFile(string Filename, ProjectName Project, string? DeletedBy, DateTimeOffset DeletedAt, string? Reason);

/// <summary>Tombstones of deleted filenames; the upload path consults them, delete records them.</summary>
public interface IDeletedFiles
{
    /// <summary>Records tombstones (replacing older ones of the same filenames) in one transaction: all or none.</summary>
    Task AddAsync(IReadOnlyCollection<DeletedFile> files, CancellationToken cancellationToken);

    Task<DeletedFile?> FindAsync(string filename, CancellationToken cancellationToken);

    /// <summary>Every tombstone, ordered by filename (what a migration copies).</summary>
    Task<IReadOnlyList<DeletedFile>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Lets a deleted filename be uploaded again; false when it was not deleted.</summary>
    Task<bool> ReleaseAsync(string filename, CancellationToken cancellationToken);
}
