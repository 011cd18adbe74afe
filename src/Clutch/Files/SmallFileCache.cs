using Clutch.Hosting;
using Clutch.Pages;

namespace Clutch.Files;

/// <summary>
/// The bytes of small files recently downloaded, with their response headers, held on the file's
/// <see cref="FileDownload"/> under one <see cref="MemoryBudget"/>. A download record belongs to
/// one page snapshot: when the catalog records other bytes for a path, the snapshot is rebuilt with
/// a new record and the old bytes are never answered again. Saves an open, a read and a close per
/// download of a cached file, and every allocation.
/// </summary>
public sealed class SmallFileCache(ClutchOptions options)
{
    /// <summary>Largest file kept.</summary>
    public const int MaxLength = 64 * 1024;

    public MemoryBudget Budget { get; } = new(options.FileCacheMegabytes * 1024L * 1024);
}
