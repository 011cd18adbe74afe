using System.Collections.Concurrent;

namespace Clutch.Pages;

/// <summary>
/// Something that keeps bytes in memory only while a <see cref="MemoryBudget"/> has room for them,
/// and can have them again on demand once evicted. The budget works on this base; holders derive
/// from <see cref="HeldBytes{T}"/>.
/// </summary>
public abstract class HeldBytes
{
    private int _referenced;

    /// <summary>True while the bytes are held.</summary>
    public abstract bool HoldsBytes { get; }

    /// <summary>Clears the recently-used mark; true when it was set (the holder gets a second chance).</summary>
    internal bool TakeReferenced() => Interlocked.Exchange(ref _referenced, 0) == 1;

    /// <summary>Lets go of the bytes; the number of bytes freed.</summary>
    internal abstract int DropBytes();

    private protected void MarkReferenced() => Volatile.Write(ref _referenced, 1);
}

/// <summary>One value held under a budget: taken at most once until evicted, marked on every read.</summary>
public abstract class HeldBytes<T> : HeldBytes
    where T : class
{
    private T? _held;

    public override bool HoldsBytes => Volatile.Read(ref _held) is not null;

    /// <summary>The held value, marked as recently used; null when none is held.</summary>
    protected T? Held
    {
        get
        {
            var held = Volatile.Read(ref _held);
            if (held is not null)
            {
                MarkReferenced();
            }

            return held;
        }
    }

    /// <summary>
    /// Holds <paramref name="value"/> and counts it against <paramref name="budget"/> (kept for good
    /// without one), unless a concurrent caller got there first: the value held is returned.
    /// </summary>
    protected T Hold(T value, MemoryBudget? budget)
    {
        if (Interlocked.CompareExchange(ref _held, value, null) is { } raced)
        {
            return raced;
        }

        budget?.Admit(this, LengthOf(value));
        return value;
    }

    /// <summary>The bytes <paramref name="value"/> counts for.</summary>
    protected abstract int LengthOf(T value);

    internal override int DropBytes() => Interlocked.Exchange(ref _held, null) is { } dropped ? LengthOf(dropped) : 0;
}

/// <summary>
/// Bounds the memory of bytes kept for speed that can be had again on demand: the plain bytes of
/// rendered pages (restored from their gzip bytes) and small files (read again from disk). Holders
/// are admitted as they take bytes and evicted by CLOCK (a second chance for a holder read since
/// the hand last passed it) once the total exceeds <see cref="Capacity"/>.
/// </summary>
public sealed class MemoryBudget(long capacity)
{
    private readonly ConcurrentQueue<HeldBytes> _holders = new();
    private readonly Lock _evicting = new();
    private long _bytes;

    public long Capacity { get; } = capacity;

    /// <summary>Bytes currently held.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Counts a holder's newly taken bytes, evicting others when over capacity.</summary>
    internal void Admit(HeldBytes holder, int length)
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
