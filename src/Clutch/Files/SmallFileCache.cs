using System.Collections.Concurrent;

namespace Clutch.Files;

/// <summary>
/// The bytes of small files recently served, keyed by path and checked against the size and
/// modification time the request's own <c>stat</c> just saw, so a file replaced on disk is never
/// answered from memory. Bounded: when full it starts over (a cheap, allocation-free policy that
/// keeps whatever is hot after a moment). Saves an open, a read and a close per download.
/// </summary>
public sealed class SmallFileCache
{
    /// <summary>Total bytes kept at most.</summary>
    public const long Capacity = 32L * 1024 * 1024;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _size;

    public byte[]? TryGet(string path, long length, DateTime lastWriteUtc) =>
        _entries.TryGetValue(path, out var e) && e.Bytes.Length == length && e.LastWriteUtc == lastWriteUtc ? e.Bytes : null;

    public void Add(string path, DateTime lastWriteUtc, byte[] bytes)
    {
        if (Interlocked.Add(ref _size, bytes.Length) > Capacity)
        {
            _entries.Clear();
            Interlocked.Exchange(ref _size, bytes.Length);
        }

        _entries[path] = new Entry(lastWriteUtc, bytes);
    }

    private sealed record Entry(DateTime LastWriteUtc, byte[] Bytes);
}
