using System.Collections.Concurrent;

namespace Clutch.Pages;

/// <summary>
/// Bounds the memory held by the plain (uncompressed) bytes of rendered pages. Every page keeps
/// its gzip bytes, about a quarter of the plain size; the plain bytes of the pages asked for most
/// recently are kept on top of that, up to <see cref="Capacity"/> bytes, and evicted by CLOCK
/// (second chance for a page read since the hand last passed it). An evicted page is restored
/// from its own gzip bytes on the next plain request.
/// </summary>
public sealed class PlainPageBudget(long capacity)
{
    private readonly ConcurrentQueue<RenderedPage> _holders = new();
    private readonly Lock _evicting = new();
    private long _bytes;

    public long Capacity { get; } = capacity;

    /// <summary>Plain bytes currently held.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Counts a page's newly held plain bytes, evicting others when over capacity.</summary>
    internal void Admit(RenderedPage page, int length)
    {
        _holders.Enqueue(page);
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
            // Each page gets at most one second chance per pass, so this ends.
            var budget = (_holders.Count * 2) + 1;
            while (Volatile.Read(ref _bytes) > Capacity && budget-- > 0 && _holders.TryDequeue(out var page))
            {
                if (page.HoldsBody && page.TakeReferenced())
                {
                    _holders.Enqueue(page);
                    continue;
                }

                Interlocked.Add(ref _bytes, -page.DropBody());
            }
        }
        finally
        {
            _evicting.Exit();
        }
    }
}
