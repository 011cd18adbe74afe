using System.Collections.Concurrent;

namespace Clutch.Pages;

/// <summary>Bytes an object keeps in memory only while a <see cref="MemoryBudget"/> has room for them.</summary>
public interface IHeldBytes
{
    /// <summary>True while the bytes are held.</summary>
    bool HoldsBytes { get; }

    /// <summary>Clears the recently-used mark; true when it was set (the holder gets a second chance).</summary>
    bool TakeReferenced();

    /// <summary>Lets go of the bytes; the number of bytes freed.</summary>
    int DropBytes();
}

/// <summary>
/// Bounds the memory of bytes kept for speed that can be had again on demand: the plain bytes of
/// rendered pages (restored from their gzip bytes) and small files (read again from disk). Holders
/// are admitted as they take bytes and evicted by CLOCK (a second chance for a holder read since
/// the hand last passed it) once the total exceeds <see cref="Capacity"/>.
/// </summary>
public sealed class MemoryBudget(long capacity)
{
    private readonly ConcurrentQueue<IHeldBytes> _holders = new();
    private readonly Lock _evicting = new();
    private long _bytes;

    public long Capacity { get; } = capacity;

    /// <summary>Bytes currently held.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Counts a holder's newly taken bytes, evicting others when over capacity.</summary>
    public void Admit(IHeldBytes holder, int length)
    {
        _holders.Enqueue(holder);
        if (Interlocked.Add(ref _bytes, length) > Capacity)
        {
            Evict();
        }
    }

    private void Evict()
    {
        // One evictor at a time; the others go on serving (the budget may be exceeded for a moment).
        if (!_evicting.TryEnter())
        {
            return;
        }

        try
        {
            // Each holder gets at most one second chance per pass, so this ends.
            var budget = (_holders.Count * 2) + 1;
            while (Volatile.Read(ref _bytes) > Capacity && budget-- > 0 && _holders.TryDequeue(out var holder))
            {
                if (holder.HoldsBytes && holder.TakeReferenced())
                {
                    _holders.Enqueue(holder);
                    continue;
                }

                Interlocked.Add(ref _bytes, -holder.DropBytes());
            }
        }
        finally
        {
            _evicting.Exit();
        }
    }
}
