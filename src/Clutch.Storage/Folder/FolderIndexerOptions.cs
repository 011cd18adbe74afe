namespace Clutch.Storage.Folder;

/// <summary>How the folder indexer watches and reconciles the operator's folder.</summary>
public sealed class FolderIndexerOptions
{
    /// <summary>The package folder (the folder blob store's root).</summary>
    public string Root { get; set; } = "packages";

    /// <summary>Full reconcile period: catches whatever the watcher missed.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Quiet period after the last watcher event before a batch is indexed.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>Longest a busy stream of events may postpone indexing.</summary>
    public TimeSpan MaxDebounceDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// A file modified more recently than this is treated as still being written and retried later.
    /// Guards against indexing a copy that merely paused.
    /// </summary>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// An archive that does not open as one (no zip central directory, a tar or gzip stream cut
    /// short) is what a hand copy that paused looks like: it is listed only once it has not changed
    /// for this long, and then, as any broken archive, without metadata and with a warning.
    /// </summary>
    public TimeSpan ArchiveQuietPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Files per catalog transaction.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Files hashed at once.</summary>
    public int MaxParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>When the catalog is empty at start, finish the first scan before the host starts answering.</summary>
    public bool WaitForColdScan { get; set; } = true;

    /// <summary>Watch the folder for changes (otherwise only the periodic reconcile runs).</summary>
    public bool Watch { get; set; } = true;
}

/// <summary>Where a scan is: files seen on disk, files still to hash, files hashed.</summary>
public readonly record struct IndexProgress(string Phase, int Seen, int ToHash, int Hashed);

/// <summary>What one indexing pass did.</summary>
public sealed record IndexResult(int Indexed, int Unchanged, int Removed, int Skipped, IReadOnlyList<string> Deferred, bool NeedsReconcile)
{
    public static IndexResult Empty { get; } = new(0, 0, 0, 0, [], false);
}

/// <summary>Readiness of the folder indexer: the first full scan has completed.</summary>
public sealed class IndexerStatus
{
    private readonly TaskCompletionSource _initialScan = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once the initial scan has finished (what <c>/health/ready</c> reports).</summary>
    public bool IsReady => _initialScan.Task.IsCompletedSuccessfully;

    /// <summary>Completes when the initial scan has finished.</summary>
    public Task InitialScan => _initialScan.Task;

    /// <summary>When the last full reconcile finished, or null before the first.</summary>
    public DateTimeOffset? LastReconcile { get; internal set; }

    /// <summary>Files recorded by the last full reconcile.</summary>
    public int FileCount { get; internal set; }

    internal void MarkReady() => _initialScan.TrySetResult();
}
