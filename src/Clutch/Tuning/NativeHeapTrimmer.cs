using System.Runtime.InteropServices;

namespace Clutch.Tuning;

/// <summary>
/// Gives native heap memory that has been freed back to the operating system, every
/// <see cref="Interval"/> when at least <see cref="MinFreeBytes"/> lies free (Linux with glibc).
/// Rendering a page allocates a zlib compressor of a few hundred KB outside the GC heap, and glibc,
/// once such a block has been freed, serves the next ones from its per-thread arenas instead of
/// fresh mappings; after thousands of pages rendered on a few threads, and a decompressor per plain
/// answer not held, the arenas hold memory that is free but still resident, most of what they hold.
/// glibc returns such memory only from the top of an arena on its own; <c>malloc_trim</c> returns
/// every free page. A trim holds each arena's lock while it runs, longer the more it returns, so
/// any allocation on another thread waits for it: hence the interval and the threshold.
/// </summary>
internal sealed partial class NativeHeapTrimmer(ILogger<NativeHeapTrimmer> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    public const long MinFreeBytes = 4L * 1024 * 1024;

    /// <summary>True where the process runs on glibc (whose allocator this knows how to trim).</summary>
    public static bool Supported { get; } = OperatingSystem.IsLinux() && HasGlibc();

    /// <summary>
    /// Trims when at least <see cref="MinFreeBytes"/> of the native heap lies free; true when it did.
    /// <paramref name="freeBytes"/> is what lay free (0 where the platform has no glibc allocator).
    /// </summary>
    public static bool TryTrim(out long freeBytes)
    {
        freeBytes = Supported ? (long)MallInfo2().FreeBytes : 0;
        if (freeBytes < MinFreeBytes)
        {
            return false;
        }

        _ = MallocTrim(0);
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Supported)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (TryTrim(out var free))
                {
                    LogTrimmed(logger, free / (1024 * 1024));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private static bool HasGlibc()
    {
        try
        {
            return GnuGetLibcVersion() != 0;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false; // musl and others: no mallinfo2/malloc_trim
        }
    }

    [LibraryImport("libc", EntryPoint = "gnu_get_libc_version")]
    private static partial nint GnuGetLibcVersion();

    [LibraryImport("libc", EntryPoint = "mallinfo2")]
    private static partial MallInfo MallInfo2();

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    [LoggerMessage(EventId = 1090, Level = LogLevel.Debug, Message = "Native heap: {FreeMegabytes} MB free, returned to the system")]
    private static partial void LogTrimmed(ILogger logger, long freeMegabytes);

    /// <summary>glibc's <c>struct mallinfo2</c>: ten <c>size_t</c> counters.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct MallInfo
    {
        private readonly nuint _arena;
        private readonly nuint _ordblks;
        private readonly nuint _smblks;
        private readonly nuint _hblks;
        private readonly nuint _hblkhd;
        private readonly nuint _usmblks;
        private readonly nuint _fsmblks;
        private readonly nuint _uordblks;
        private readonly nuint _fordblks;
        private readonly nuint _keepcost;

        /// <summary>Bytes in free chunks of every arena (fordblks).</summary>
        public nuint FreeBytes => _fordblks;
    }
}
