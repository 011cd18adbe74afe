using System.Collections.Concurrent;
using Clutch.Hosting;
using Clutch.Storage;
using Clutch.Storage.Indexes;

namespace Clutch.Indexes;

/// <summary>
/// The size cap of the files mirror indexes keep: every kept file is in the ledger with its size and
/// last use, and beyond <see cref="ClutchOptions.MirrorCacheMegabytes"/> the least recently used are
/// deleted (a later request fetches them again). Uses are noted in memory and written to the ledger
/// in batches (every half minute and before an eviction), not once per download.
/// </summary>
public sealed partial class MirrorCache(IIndexStore store, IBlobStore blobs, ClutchOptions options, TimeProvider time, ILogger<MirrorCache> logger) : BackgroundService
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<(string Index, string Key), long> _used = new();
    private readonly SemaphoreSlim _pruning = new(1, 1);

    /// <summary>Notes a download of a kept file.</summary>
    public void Touch(string index, string key) => _used[(index, key)] = time.GetUtcNow().UtcTicks / TimeSpan.TicksPerSecond;

    /// <summary>Evicts beyond the configured cap (nothing when there is none).</summary>
    public async Task EnforceAsync(CancellationToken cancellationToken)
    {
        if (options.MirrorCacheMegabytes > 0)
        {
            await PruneAsync(options.MirrorCacheMegabytes * 1024 * 1024, cancellationToken);
        }
    }

    /// <summary>Deletes least recently used files until the kept ones total at most <paramref name="maxBytes"/>.</summary>
    public async Task<(int Files, long Bytes)> PruneAsync(long maxBytes, CancellationToken cancellationToken)
    {
        await _pruning.WaitAsync(cancellationToken);
        try
        {
            await FlushAsync(cancellationToken);
            var result = await PruneAsync(store, blobs, maxBytes, cancellationToken);
            if (result.Files > 0)
            {
                LogEvicted(logger, result.Files, result.Bytes, maxBytes);
            }

            return result;
        }
        finally
        {
            _pruning.Release();
        }
    }

    /// <summary>
    /// The eviction itself, also for <c>clutch cache prune</c> on the stores directly: least recently
    /// used first, each file's blob deleted before its ledger row (a crash in between leaves a row
    /// whose file a request fetches again, never a kept file the ledger has lost).
    /// </summary>
    public static async Task<(int Files, long Bytes)> PruneAsync(IIndexStore store, IBlobStore blobs, long maxBytes, CancellationToken cancellationToken)
    {
        var files = await store.ListMirrorFilesAsync(cancellationToken);
        var total = files.Sum(f => f.Size);
        var evicted = 0;
        long freed = 0;
        foreach (var file in files)
        {
            if (total <= maxBytes)
            {
                break;
            }

            await blobs.DeleteAsync(PrefixedBlobStore.PrefixOf(file.Index) + file.Key, cancellationToken);
            await store.RemoveMirrorFileAsync(file.Index, file.Key, cancellationToken);
            total -= file.Size;
            freed += file.Size;
            evicted++;
        }

        return (evicted, freed);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await FlushAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFlushFailed(logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping; uses not written yet only make those files look older
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_used.IsEmpty)
        {
            return;
        }

        // Uses are kept to the second they happened, so the order of eviction follows them (one write per second of uses).
        var batch = new List<((string, string) File, long Second)>();
        foreach (var (file, second) in _used)
        {
            if (_used.TryRemove(new KeyValuePair<(string, string), long>(file, second)))
            {
                batch.Add((file, second));
            }
        }

        foreach (var group in batch.GroupBy(b => b.Second).OrderBy(g => g.Key))
        {
            await store.TouchMirrorFilesAsync([.. group.Select(g => g.File)], new DateTimeOffset(group.Key * TimeSpan.TicksPerSecond, TimeSpan.Zero), cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mirror cache: evicted {Files} least recently used file(s), {Bytes} bytes, to stay within {Max} bytes")]
    private static partial void LogEvicted(ILogger logger, int files, long bytes, long max);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror cache: recording downloads failed: {Reason}")]
    private static partial void LogFlushFailed(ILogger logger, string reason);
}
