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
    private int _uses;

    /// <summary>True while the bytes are held.</summary>
    public abstract bool HoldsBytes { get; }

    /// <summary>
    /// How often the bytes were asked for lately, held or not: a small counter (at most
    /// <see cref="UseFrequency.Max"/>) that halves every few seconds.
    /// </summary>
    internal int Frequency => UseFrequency.Decayed(Volatile.Read(ref _uses));

    /// <summary>Clears the recently-used mark; true when it was set (the holder gets a second chance).</summary>
    internal bool TakeReferenced() => Interlocked.Exchange(ref _referenced, 0) == 1;

    /// <summary>Lets go of the bytes; the number of bytes freed.</summary>
    internal abstract int DropBytes();

    private protected void MarkReferenced() => Volatile.Write(ref _referenced, 1);

    /// <summary>Counts one request for the bytes. Racing counts may lose an increment; it is an estimate.</summary>
    private protected void CountUse() => Volatile.Write(ref _uses, UseFrequency.Incremented(Volatile.Read(ref _uses)));
}

/// <summary>One value held under a budget: taken at most once until evicted, marked on every read.</summary>
public abstract class HeldBytes<T> : HeldBytes
    where T : class
{
    private T? _held;

    public override bool HoldsBytes => Volatile.Read(ref _held) is not null;

    /// <summary>The held value, marked as recently used; null when none is held. Every read counts as a use.</summary>
    protected T? Held
    {
        get
        {
            CountUse();
            var held = Volatile.Read(ref _held);
            if (held is not null)
            {
                MarkReferenced();
            }

            return held;
        }
    }

    /// <summary>The held value or null, neither counted as a use nor marked as recently used.</summary>
    protected T? HeldWithoutUse => Volatile.Read(ref _held);

    /// <summary>Holds <paramref name="value"/> for good, outside any budget.</summary>
    protected void Keep(T value) => Interlocked.CompareExchange(ref _held, value, null);

    /// <summary>
    /// Makes and holds a value of <paramref name="length"/> bytes only when <paramref name="budget"/>
    /// admits it: null, with nothing made, when it does not (the caller answers from its own buffer).
    /// A concurrent caller's value is returned when that one got there first.
    /// </summary>
    protected T? HoldIfAdmitted<TState>(int length, MemoryBudget budget, TState state, Func<TState, T> create)
    {
        if (!budget.TryReserve(this, length))
        {
            return null;
        }

        var value = create(state);
        if (Interlocked.CompareExchange(ref _held, value, null) is { } raced)
        {
            budget.Release(length);
            return raced;
        }

        budget.Track(this);
        return value;
    }

    /// <summary>The bytes <paramref name="value"/> counts for.</summary>
    protected abstract int LengthOf(T value);

    internal override int DropBytes() => Interlocked.Exchange(ref _held, null) is { } dropped ? LengthOf(dropped) : 0;
}

/// <summary>
/// Bounds the memory of bytes kept for speed that can be had again on demand: the plain bytes of
/// rendered pages (read again from the page store, or restored from their gzip bytes without one),
/// copies of stored gzip bytes (read again from the page store) and small files (read again from disk).
/// <para>
/// Eviction is CLOCK (a holder read since the hand last passed it gets a second chance). Admission
/// is frequency-based, as in TinyLFU: once the budget is full, a newcomer replaces the CLOCK victim
/// only when it was asked for more often lately than that victim. Plain CLOCK (like LRU) keeps
/// nothing useful when the bytes in use exceed the budget even slightly: each miss evicts what is
/// about to be asked for next, and every request misses. With the admission test the budget keeps
/// a stable share of the working set instead, and a scan of things asked for once never flushes
/// what is asked for all the time.
/// </para>
/// <para>
/// Replacement is rate-limited: once full, at most a sixty-fourth of the capacity is replaced per
/// second. When everything is asked for about equally often (a uniform spread over more than fits),
/// use counts are noise and every other comparison would swap a held value for one no better:
/// each swap is a new copy promoted through the GC generations and an old one left as gen2
/// garbage (holes that keep the heap large), for no gain in hits. A real shift in demand (a new release everyone
/// installs) turns the whole budget over in about a minute; what fits in the room left free is
/// taken at once.
/// </para>
/// </summary>
public sealed class MemoryBudget
{
    /// <summary>A 1/N share of the capacity may be replaced per second, and at most that much at once.</summary>
    internal const int TurnoverDivisor = 64;

    private readonly ConcurrentQueue<HeldBytes> _holders = new();
    private readonly Lock _evicting = new();
    private readonly Func<long> _milliseconds;
    private long _bytes;

    // Thousandths of bytes that may still be replaced now (may go negative by one value: a debt
    // repaid over time), and when it was last topped up. Both only change under _evicting. Counted
    // in thousandths so each millisecond adds its exact share (a 1 MB budget earns 16.384 bytes a
    // millisecond; whole bytes lost the fraction at every top-up).
    private long _turnover;
    private long _turnoverStamp;

    /// <summary>
    /// A held copy of <paramref name="bytes"/>, allocated on the pinned object heap, which belongs to
    /// gen2 from the start. In the ordinary heap a budget filling up (32 MB of small files in the
    /// first seconds of a download load) would be copied twice by the GC, gen0 to gen1 to gen2, in
    /// collections whose pauses the requests served meanwhile wait for; on the pinned heap nothing is
    /// copied. An evicted copy leaves a hole that the next copies of similar size fill (pages and
    /// small files are a few KB each), so the pinned heap grows no more than the ordinary one would.
    /// </summary>
    public static byte[] HeldCopy(ReadOnlySpan<byte> bytes)
    {
        var copy = HeldArray(bytes.Length);
        bytes.CopyTo(copy);
        return copy;
    }

    /// <summary>An array to fill with bytes to be held, where <see cref="HeldCopy"/> puts them.</summary>
    public static byte[] HeldArray(int length) => GC.AllocateUninitializedArray<byte>(length, pinned: true);

    public MemoryBudget(long capacity)
        : this(capacity, static () => Environment.TickCount64)
    {
    }

    /// <summary>A budget whose turnover limit reads time from <paramref name="milliseconds"/> (for tests).</summary>
    internal MemoryBudget(long capacity, Func<long> milliseconds)
    {
        Capacity = capacity;
        _milliseconds = milliseconds;
        _turnover = capacity / TurnoverDivisor * 1000;
        _turnoverStamp = milliseconds();
    }

    public long Capacity { get; }

    /// <summary>Bytes currently held.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>
    /// Makes room for <paramref name="length"/> bytes of <paramref name="candidate"/>, evicting holders
    /// asked for less often; false (nothing reserved) when the candidate is not worth what it would evict.
    /// </summary>
    internal bool TryReserve(HeldBytes candidate, int length)
    {
        if (length > Capacity)
        {
            return false;
        }

        if (Interlocked.Add(ref _bytes, length) <= Capacity)
        {
            return true;
        }

        Interlocked.Add(ref _bytes, -length);

        // One evictor at a time; a candidate arriving meanwhile is simply not held this time.
        if (!_evicting.TryEnter())
        {
            return false;
        }

        try
        {
            if (!HasTurnoverLeft())
            {
                return false;
            }

            var frequency = candidate.Frequency;

            // Each holder gets at most one second chance per call, so this ends.
            var steps = (_holders.Count * 2) + 1;
            while (Volatile.Read(ref _bytes) + length > Capacity)
            {
                if (steps-- <= 0 || !_holders.TryDequeue(out var holder))
                {
                    return false;
                }

                if (!holder.HoldsBytes)
                {
                    continue;
                }

                if (holder.TakeReferenced())
                {
                    _holders.Enqueue(holder);
                    continue;
                }

                if (holder.Frequency >= frequency)
                {
                    // The victim is worth at least as much: it stays (the hand has passed it), the candidate goes.
                    _holders.Enqueue(holder);
                    return false;
                }

                var freed = holder.DropBytes();
                Interlocked.Add(ref _bytes, -freed);
                _turnover -= freed * 1000L;
            }

            Interlocked.Add(ref _bytes, length);
            return true;
        }
        finally
        {
            _evicting.Exit();
        }
    }

    /// <summary>Tops up the replacement allowance for the time passed; true while some is left.</summary>
    private bool HasTurnoverLeft()
    {
        var now = _milliseconds();
        var elapsed = now - _turnoverStamp;
        if (elapsed > 0)
        {
            var burst = Capacity / TurnoverDivisor;
            _turnover = Math.Min(burst * 1000, _turnover + (elapsed * burst));
            _turnoverStamp = now;
        }

        return _turnover > 0;
    }

    /// <summary>Gives back bytes reserved for a value that was not held after all.</summary>
    internal void Release(int length) => Interlocked.Add(ref _bytes, -length);

    /// <summary>Puts a holder whose bytes were just reserved under the CLOCK hand.</summary>
    internal void Track(HeldBytes holder) => _holders.Enqueue(holder);
}

/// <summary>
/// A use counter packed in one int: four bits of count (saturating at <see cref="Max"/>, so equally
/// popular things tie and ties keep what is held) and the time slot of the last update. Counts halve
/// for every slot passed (about 8 s each), so what was popular a minute ago no longer blocks what is
/// popular now.
/// </summary>
internal static class UseFrequency
{
    public const int Max = 15;

    private const int SlotShift = 13; // 2^13 ms, about 8 s per halving

    public static int Decayed(int packed) => Decayed(packed, Slot());

    public static int Incremented(int packed) => Incremented(packed, Slot());

    /// <summary>The count as of time slot <paramref name="slot"/>.</summary>
    internal static int Decayed(int packed, int slot)
    {
        var passed = (slot - (packed >>> 4)) & SlotMask;
        return passed >= 4 ? 0 : (packed & 0xF) >> passed;
    }

    /// <summary>The packed counter after one more use in time slot <paramref name="slot"/>.</summary>
    internal static int Incremented(int packed, int slot) => Math.Min(Decayed(packed, slot) + 1, Max) | ((slot & SlotMask) << 4);

    private const int SlotMask = 0x0FFF_FFFF;

    private static int Slot() => (int)(Environment.TickCount64 >> SlotShift) & SlotMask;
}
