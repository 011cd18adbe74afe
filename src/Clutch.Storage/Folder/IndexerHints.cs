using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Clutch.Storage.Folder;

/// <summary>
/// What the rest of the server tells the folder indexer about paths of the store: a writer holds a
/// path it is putting in place and will record itself (an upload), so the indexer leaves the file to
/// it; a reader reports a path whose file no longer matches its catalog row (changed, unreadable), so
/// the indexer looks at it again. One per process; harmless without an indexer.
/// </summary>
public sealed class IndexerHints
{
    private readonly ConcurrentDictionary<string, int> _held = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _reported = new(StringComparer.Ordinal);
    private readonly Channel<string> _rechecks = Channel.CreateBounded<string>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>
    /// Holds <paramref name="path"/> until disposed: take it before the file appears at the path and
    /// release it after its catalog row is written. While held, the indexer defers the path; once
    /// released, it finds the writer's row recording the very file and leaves it as it is.
    /// </summary>
    public IDisposable Hold(string path)
    {
        _held.AddOrUpdate(path, 1, static (_, n) => n + 1);
        return new Release(this, path);
    }

    /// <summary>True while a writer holds <paramref name="path"/>.</summary>
    public bool IsHeld(string path) => _held.ContainsKey(path);

    /// <summary>
    /// Asks the indexer to look at <paramref name="path"/> again. True when this is the first report
    /// since the indexer last looked (the caller logs then, once, not once per request).
    /// </summary>
    public bool Recheck(string path)
    {
        if (!_reported.TryAdd(path, 0))
        {
            return false;
        }

        if (!_rechecks.Writer.TryWrite(path))
        {
            _reported.TryRemove(path, out _);
        }

        return true;
    }

    /// <summary>The paths reported for a recheck; the indexer service reads them.</summary>
    internal ChannelReader<string> Rechecks => _rechecks.Reader;

    /// <summary>The indexer has looked at <paramref name="path"/>: a later report counts as new.</summary>
    internal void Rechecked(string path) => _reported.TryRemove(path, out _);

    private sealed class Release(IndexerHints hints, string path) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                hints._held.AddOrUpdate(path, 0, static (_, n) => n - 1);
                hints._held.TryRemove(KeyValuePair.Create(path, 0));
            }
        }
    }
}
