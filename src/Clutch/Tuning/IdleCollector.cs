using System.Runtime;

namespace Clutch.Tuning;

/// <summary>
/// Gives the memory a burst of load left behind back to the system once the server goes quiet, as
/// the JVM's G1 does with its periodic collection (JEP 346). Under load, objects that lived a few
/// seconds (connections, page renders, files read) reach gen2 and die there; the background gen2
/// collections that run under load sweep them into free space inside the heap without compacting
/// it, so after a load the heap keeps garbage and free space that only a compacting collection gives
/// back. Every <see cref="Interval"/> this looks at what the process allocated: when that was
/// next to nothing (<see cref="IdleBytesPerInterval"/>, a few requests at most) for
/// <see cref="QuietIntervals"/> intervals running and at least <see cref="MinAllocatedBetween"/> was
/// allocated since the last full collection, it runs one compacting full collection (a pause that
/// grows with the heap, taken while nobody is waiting) and trims the native heap. A server that
/// stays idle is collected once; a busy one never by this. Requests that arrive during that
/// collection wait for it, so it waits for two quiet intervals: a load that pauses for a moment
/// and resumes rarely meets it.
/// </summary>
internal sealed partial class IdleCollector(ILogger<IdleCollector> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Allocated in one interval below this, the server counts as idle.</summary>
    public const long IdleBytesPerInterval = 1024 * 1024;

    /// <summary>Idle intervals in a row before collecting.</summary>
    public const int QuietIntervals = 2;

    /// <summary>Allocated since the last full collection before an idle one is worth its pause.</summary>
    public const long MinAllocatedBetween = 64L * 1024 * 1024;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        var tracker = new Tracker(GC.GetTotalAllocatedBytes(), BlockingFullCollections());
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (tracker.Tick(GC.GetTotalAllocatedBytes(), BlockingFullCollections()))
                {
                    var before = Environment.WorkingSet;
                    Collect();
                    _ = NativeHeapTrimmer.TryTrim(out _);
                    LogCollected(logger, before >> 20, Environment.WorkingSet >> 20);
                    tracker.Collected(GC.GetTotalAllocatedBytes(), BlockingFullCollections());
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// Blocking full collections so far (the last one's index). Background gen2 collections, the
    /// usual kind under load, sweep garbage into free lists inside the heap but give nothing back;
    /// they do not count.
    /// </summary>
    private static long BlockingFullCollections() => GC.GetGCMemoryInfo(GCKind.FullBlocking).Index;

    /// <summary>One blocking, compacting full collection, the large object heap included.</summary>
    public static void Collect()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>
    /// The decision, one tick at a time, from two counters the runtime keeps: bytes allocated so far
    /// and blocking full collections so far.
    /// </summary>
    internal sealed class Tracker(long allocated, long fullCollections)
    {
        private long _last = allocated;
        private long _atFullCollection = allocated;
        private long _fullCollections = fullCollections;
        private int _quiet;

        /// <summary>One interval has passed; true when a collection is due now.</summary>
        public bool Tick(long allocated, long fullCollections)
        {
            if (fullCollections != _fullCollections)
            {
                // The GC compacted the whole heap on its own during the interval: count from its start.
                _fullCollections = fullCollections;
                _atFullCollection = _last;
            }

            _quiet = allocated - _last < IdleBytesPerInterval ? _quiet + 1 : 0;
            _last = allocated;
            return _quiet >= QuietIntervals && allocated - _atFullCollection >= MinAllocatedBetween;
        }

        /// <summary>This collected: nothing is due until as much has been allocated again.</summary>
        public void Collected(long allocated, long fullCollections) =>
            (_last, _atFullCollection, _fullCollections) = (allocated, allocated, fullCollections);
    }

    [LoggerMessage(EventId = 1091, Level = LogLevel.Debug, Message = "Idle: full collection, resident {BeforeMegabytes} MB -> {AfterMegabytes} MB")]
    private static partial void LogCollected(ILogger logger, long beforeMegabytes, long afterMegabytes);
}
