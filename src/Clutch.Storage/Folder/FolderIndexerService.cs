using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clutch.Storage.Folder;

/// <summary>
/// Runs the folder indexer for the life of the host: an initial scan (awaited at start only when
/// the catalog is empty, so a warm start serves at once), a <see cref="FileSystemWatcher"/> whose
/// events are debounced into batched re-indexing, and a periodic full reconcile that also follows
/// any watcher overflow.
/// </summary>
public sealed class FolderIndexerService : BackgroundService
{
    private readonly FolderIndexer _indexer;
    private readonly ICatalog _catalog;
    private readonly IndexerStatus _status;
    private readonly FolderIndexerOptions _options;
    private readonly ILogger<FolderIndexerService> _logger;
    private readonly TimeProvider _time;
    private readonly Channel<string> _changes = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<bool> _reconcileRequests = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private FileSystemWatcher? _watcher;

    public FolderIndexerService(
        FolderIndexer indexer, ICatalog catalog, IndexerStatus status, IOptions<FolderIndexerOptions> options,
        ILogger<FolderIndexerService> logger, TimeProvider? time = null)
    {
        _indexer = indexer;
        _catalog = catalog;
        _status = status;
        _options = options.Value;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Where the initial scan reports progress (a terminal progress bar), if anywhere.</summary>
    public IProgress<IndexProgress>? Progress { get; set; }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await _catalog.MigrateAsync(cancellationToken);
        Directory.CreateDirectory(_indexer.Root);

        var warm = (await _catalog.ListProjectsAsync(cancellationToken)).Count > 0;
        if (!warm && _options.WaitForColdScan)
        {
            // Watch before scanning so that nothing dropped during the scan falls between the two.
            if (_options.Watch)
            {
                StartWatcher();
            }

            await ReconcileAsync(Progress, cancellationToken);
        }
        else
        {
            // Warm start: answer from the catalog at once. Setting up a recursive watch costs one
            // inotify call per folder (seconds for thousands of project folders), so it happens in
            // the background, before the background reconcile, keeping the same no-gap order.
            FolderIndexerLog.WarmStart(_logger, _indexer.Root);
        }

        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _watcher?.Dispose();
        _watcher = null;
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _watcher?.Dispose();
        base.Dispose();
    }

    /// <summary>Asks for a full reconcile as soon as possible.</summary>
    public void RequestReconcile() => _reconcileRequests.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        if (_options.Watch && _watcher is null)
        {
            StartWatcher();
        }

        if (!_status.IsReady)
        {
            await ReconcileAsync(Progress, stoppingToken);
        }

        try
        {
            await Task.WhenAll(ProcessChangesAsync(stoppingToken), ReconcileLoopAsync(stoppingToken), ForwardRechecksAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // host stopping
        }
    }

    private void StartWatcher()
    {
        var watcher = new FileSystemWatcher(_indexer.Root)
        {
            IncludeSubdirectories = true,
            InternalBufferSize = 64 * 1024,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        watcher.Created += (_, e) => Enqueue(e.FullPath);
        watcher.Changed += (_, e) => Enqueue(e.FullPath);
        watcher.Deleted += (_, e) => Enqueue(e.FullPath);
        watcher.Renamed += (_, e) =>
        {
            Enqueue(e.OldFullPath);
            Enqueue(e.FullPath);
        };
        watcher.Error += (_, e) =>
        {
            FolderIndexerLog.WatcherError(_logger, _indexer.Root, e.GetException()?.Message ?? "unknown");
            RequestReconcile();
        };
        watcher.EnableRaisingEvents = true;
        _watcher = watcher;
    }

    private void Enqueue(string fullPath)
    {
        if (_indexer.ToRelative(fullPath) is { } relative)
        {
            _changes.Writer.TryWrite(relative);
        }
    }

    /// <summary>Coalesces watcher events: waits for a quiet period (bounded), then indexes the batch at once.</summary>
    private async Task ProcessChangesAsync(CancellationToken stoppingToken)
    {
        var reader = _changes.Reader;
        var pending = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.WaitToReadAsync(stoppingToken))
        {
            var started = _time.GetTimestamp();
            Drain(reader, pending);
            while (true)
            {
                var remaining = _options.MaxDebounceDelay - _time.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero)
                {
                    break;
                }

                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                quiet.CancelAfter(remaining < _options.Debounce ? remaining : _options.Debounce);
                try
                {
                    await reader.WaitToReadAsync(quiet.Token);
                    Drain(reader, pending);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    break; // quiet period passed
                }
            }

            try
            {
                var result = await _indexer.IndexPathsAsync(pending, stoppingToken);
                if (result.NeedsReconcile)
                {
                    RequestReconcile();
                }

                RetryLater(result.Deferred, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                FolderIndexerLog.IndexingFailed(_logger, ex, _indexer.Root);
                RequestReconcile();
            }

            foreach (var path in pending)
            {
                _indexer.Hints.Rechecked(path);
            }

            pending.Clear();
        }
    }

    /// <summary>Files a download found not to match their listing are indexed again like a watcher event.</summary>
    private async Task ForwardRechecksAsync(CancellationToken stoppingToken)
    {
        await foreach (var path in _indexer.Hints.Rechecks.ReadAllAsync(stoppingToken))
        {
            _changes.Writer.TryWrite(path);
        }
    }

    private static void Drain(ChannelReader<string> reader, HashSet<string> pending)
    {
        while (reader.TryRead(out var path))
        {
            pending.Add(path);
        }
    }

    /// <summary>Files still being written come back once they have had time to settle.</summary>
    private void RetryLater(IReadOnlyList<string> paths, CancellationToken stoppingToken)
    {
        if (paths.Count == 0)
        {
            return;
        }

        var delay = _options.SettleTime > TimeSpan.FromMilliseconds(50) ? _options.SettleTime : TimeSpan.FromMilliseconds(50);
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay, _time, stoppingToken);
                foreach (var path in paths)
                {
                    _changes.Writer.TryWrite(path);
                }
            }
            catch (OperationCanceledException)
            {
                // host stopping
            }
        }, CancellationToken.None);
    }

    private async Task ReconcileLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(_options.ReconcileInterval);
            try
            {
                await _reconcileRequests.Reader.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // the interval elapsed
            }

            await ReconcileAsync(null, stoppingToken);
        }
    }

    private async Task ReconcileAsync(IProgress<IndexProgress>? progress, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _indexer.ScanAsync(progress, cancellationToken);
            _status.LastReconcile = _time.GetUtcNow();
            _status.FileCount = result.Indexed + result.Unchanged;
            _status.MarkReady();
            RetryLater(result.Deferred, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            FolderIndexerLog.IndexingFailed(_logger, ex, _indexer.Root);
        }
    }
}
