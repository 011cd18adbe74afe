using Microsoft.Extensions.Logging;

namespace Clutch.Storage.Folder;

internal static partial class FolderIndexerLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Skipping {Path}: not a distribution filename ({Reason})")]
    public static partial void UnrecognizedFile(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Serving {Path} without metadata: {Reason}")]
    public static partial void InspectionFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "{Path} is still being written; retrying later")]
    public static partial void StillChanging(ILogger logger, string path);

    // Per-file lines of a bulk import are Debug: a cold import of 100,000 files must not wait on the
    // console. The watcher's files and hand changes found by a reconcile are Information (3014, 3015, 3005).
    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "Indexed {Path} (sha256 {Sha256})")]
    public static partial void Indexed(ILogger logger, string path, string sha256);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Removed {Path} from the catalog: it is gone from the folder")]
    public static partial void Removed(ILogger logger, string path);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Skipping {Path}: its filename is already served from {OtherPath}")]
    public static partial void DuplicateFilename(ILogger logger, string path, string otherPath);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Developer links from {Path}: {Count}")]
    public static partial void LinksUpdated(ILogger logger, string path, int count);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Cannot read {Path}: {Reason}")]
    public static partial void ReadFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3009,
        Message = "Scanned {Root}: {Indexed} indexed, {Unchanged} unchanged, {Removed} removed, {Skipped} skipped in {ElapsedMs} ms")]
    public static partial void ScanCompleted(ILogger logger, LogLevel level, string root, int indexed, int unchanged, int removed, int skipped, long elapsedMs);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Watcher of {Root} lost events ({Reason}); reconciling")]
    public static partial void WatcherError(ILogger logger, string root, string reason);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Error, Message = "Indexing {Root} failed")]
    public static partial void IndexingFailed(ILogger logger, Exception exception, string root);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Information,
        Message = "Not listing {Path} yet: it does not open as an archive ({Reason}); perhaps a copy still in progress, listed once unchanged for {QuietSeconds} s")]
    public static partial void NotAnArchiveYet(ILogger logger, string path, string reason, double quietSeconds);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Information, Message = "Indexed {Path} (sha256 {Sha256})")]
    public static partial void Added(ILogger logger, string path, string sha256);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Information, Message = "Re-indexed {Path}: it changed on disk (sha256 now {Sha256})")]
    public static partial void Reindexed(ILogger logger, string path, string sha256);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "Catalog has data; serving it while {Root} is reconciled in the background")]
    public static partial void WarmStart(ILogger logger, string root);
}
