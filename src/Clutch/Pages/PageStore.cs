using Microsoft.Win32.SafeHandles;

namespace Clutch.Pages;

/// <summary>
/// Keeps the bytes of rendered pages (gzip, and plain for project pages) in a file instead of the GC
/// heap, the way nginx keeps its static and pre-compressed pages: the kernel's page cache holds them
/// (shared, reclaimable, not the server's resident memory) and a request reads its page with one
/// positional read, no open or stat. At 100,000 files the 15,000 project pages come to ~24 MB of
/// gzip bytes that would otherwise live in gen2 for good, plus every re-render's garbage; their
/// ~75 MB of plain bytes would otherwise be inflated from those per request once evicted from the
/// page budget.
/// <para>
/// The file is append-only and nameless: created next to the catalog and unlinked at once (on
/// Linux and macOS), so neither a crash nor a second server on the folder leaves or shares one.
/// Bytes of pages replaced by a change stay behind as dead space; once that is both
/// <see cref="RotateAfterDeadBytes"/> and twice the live bytes, new pages go to a fresh file and
/// <see cref="Rotated"/> asks the page cache to render its pages again (lazily, into the new
/// file). The old file's descriptor closes, and its space is freed, when the last page still
/// pointing into it is collected.
/// </para>
/// </summary>
public sealed partial class PageStore : IDisposable
{
    /// <summary>Dead bytes a file may hold before it is replaced (also at least twice its live bytes).</summary>
    public const long DefaultRotateAfterDeadBytes = 256L * 1024 * 1024;

    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly Lock _rotating = new();
    private Segment _current;
    private bool _disposed;
    private int _rotations;
    private int _writeFailed;

    private PageStore(string directory, long rotateAfterDeadBytes, ILogger logger)
    {
        _directory = directory;
        _logger = logger;
        RotateAfterDeadBytes = rotateAfterDeadBytes;
        _current = Segment.Create(this, directory);
    }

    public long RotateAfterDeadBytes { get; }

    /// <summary>Raised (on the appending thread) once new pages go to a fresh file.</summary>
    public event Action? Rotated;

    /// <summary>How often pages went to a fresh file.</summary>
    public int Rotations => Volatile.Read(ref _rotations);

    /// <summary>Bytes written to the current file, live and dead.</summary>
    public long Length => Volatile.Read(ref _current).End;

    /// <summary>Bytes of the current file belonging to pages since replaced.</summary>
    public long DeadBytes => Volatile.Read(ref _current).Dead;

    /// <summary>
    /// A store in <paramref name="directory"/>; null (pages keep their gzip bytes in memory and inflate plain ones) when the
    /// folder takes no file, logged once.
    /// </summary>
    public static PageStore? TryCreate(string directory, ILogger logger, long rotateAfterDeadBytes = DefaultRotateAfterDeadBytes)
    {
        try
        {
            return new PageStore(directory, rotateAfterDeadBytes, logger);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogUnavailable(logger, directory, e.Message);
            return null;
        }
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> (a page's gzip or plain bytes) to the file; where they went, or
    /// null when they could not be written (a full disk, or the store closed as the server stops): the
    /// caller keeps gzip bytes in memory, and decompresses plain answers from them.
    /// </summary>
    internal StoredBytes? TryAppend(ReadOnlySpan<byte> bytes)
    {
        var segment = Volatile.Read(ref _current);
        var offset = segment.Reserve(bytes.Length);
        try
        {
            RandomAccess.Write(segment.Handle, bytes, offset);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            segment.AddDead(bytes.Length); // the reserved range holds nothing anyone reads
            if (Interlocked.Exchange(ref _writeFailed, 1) == 0)
            {
                LogWriteFailed(_logger, e.Message);
            }

            return null;
        }

        return new StoredBytes(segment, offset, bytes.Length);
    }

    /// <summary>Counts the bytes of a replaced page as dead; replaces the file once enough of it is.</summary>
    private void Release(Segment segment, int length)
    {
        var dead = segment.AddDead(length);
        if (segment != Volatile.Read(ref _current) || dead < RotateAfterDeadBytes || dead < 2 * (segment.End - dead))
        {
            return;
        }

        lock (_rotating)
        {
            if (_disposed || segment != _current)
            {
                return;
            }

            try
            {
                Volatile.Write(ref _current, Segment.Create(this, _directory));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogRotateFailed(_logger, e.Message); // keep appending to the old file
                return;
            }
        }

        Interlocked.Increment(ref _rotations);
        LogRotated(_logger, segment.End >> 20, dead >> 20);
        Rotated?.Invoke();
    }

    public void Dispose()
    {
        lock (_rotating)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        // Files of earlier segments close as their last pages are collected.
        _current.Handle.Dispose();
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "Page store unavailable in {Directory} ({Reason}): rendered pages are kept in memory")]
    private static partial void LogUnavailable(ILogger logger, string directory, string reason);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Page store: {Megabytes} MB file with {DeadMegabytes} MB of replaced pages; pages go to a fresh file")]
    private static partial void LogRotated(ILogger logger, long megabytes, long deadMegabytes);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Page store: a page could not be written ({Reason}); such pages keep their gzip bytes in memory and decompress plain answers")]
    private static partial void LogWriteFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Page store: no fresh file ({Reason}); appending to the current one")]
    private static partial void LogRotateFailed(ILogger logger, string reason);

    /// <summary>One nameless append-only file. Its descriptor closes when the segment is collected.</summary>
    internal sealed class Segment
    {
        private long _end;
        private long _dead;

        private readonly PageStore _owner;

        private Segment(PageStore owner, SafeFileHandle handle)
        {
            _owner = owner;
            Handle = handle;
        }

        public SafeFileHandle Handle { get; }

        public long End => Volatile.Read(ref _end);

        public long Dead => Volatile.Read(ref _dead);

        public static Segment Create(PageStore owner, string directory)
        {
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, $"pages-{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
            var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, FileOptions.DeleteOnClose);
            if (!OperatingSystem.IsWindows())
            {
                File.Delete(path); // the open descriptor keeps the bytes; nothing is left behind however the process ends
            }

            return new Segment(owner, handle);
        }

        public long Reserve(int length) => Interlocked.Add(ref _end, length) - length;

        public long AddDead(int length) => Interlocked.Add(ref _dead, length);

        public void Release(int length) => _owner.Release(this, length);
    }
}

/// <summary>Where a page's gzip or plain bytes lie in a <see cref="PageStore"/> file.</summary>
internal sealed class StoredBytes(PageStore.Segment segment, long offset, int length)
{
    private int _released;

    public PageStore.Segment Segment { get; } = segment;

    public long Offset { get; } = offset;

    public int Length { get; } = length;

    /// <summary>Fills <paramref name="destination"/> with the bytes from <paramref name="start"/> on.</summary>
    public void Read(long start, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            var read = RandomAccess.Read(Segment.Handle, destination, Offset + start);
            if (read <= 0)
            {
                throw new IOException("Page store file is shorter than a page it holds.");
            }

            start += read;
            destination = destination[read..];
        }
    }

    /// <summary>Counts the bytes dead in their file (once, however often it is called): the page was replaced.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Segment.Release(Length);
        }
    }
}
