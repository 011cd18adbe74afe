using Microsoft.Data.Sqlite;

namespace Clutch.Storage;

/// <summary>
/// Recognizes a write that failed because the disk (or the user's quota) is full, for the blob
/// store (ENOSPC, EDQUOT) or the catalog (SQLITE_FULL). Not the client's fault and not a bug: the
/// server answers 507 Insufficient Storage with a plain message, after undoing what it began.
/// </summary>
public static class StorageFull
{
    public const string Message = "The index's storage is full, so nothing was stored or changed. Try again later, or ask the index's operator to free space.";

    private const int Enospc = 28;
    private const int Edquot = 122;
    private const int SqliteFull = 13;
    private const int WindowsDiskFull = 0x70;
    private const int WindowsHandleDiskFull = 0x27;

    /// <summary>True when <paramref name="exception"/> or one of its inner exceptions says the storage is full.</summary>
    public static bool Is(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException sqlite when sqlite.SqliteErrorCode == SqliteFull:
                    return true;
                case IOException io when OperatingSystem.IsWindows()
                    ? (io.HResult & 0xFFFF) is WindowsDiskFull or WindowsHandleDiskFull
                    : io.HResult is Enospc or Edquot:
                    return true;
            }
        }

        return false;
    }
}
