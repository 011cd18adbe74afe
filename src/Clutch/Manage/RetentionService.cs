using System.Threading.Channels;
using Clutch.Hosting;
using Clutch.Packaging;
using Clutch.Storage;

namespace Clutch.Manage;

/// <summary>
/// <c>serve --keep-dev N</c>: applies dev-build retention to every project once at start and then
/// to each project the catalog reports changed (an upload, a file dropped into the folder), after a
/// short quiet period so a CI job publishing several files triggers one pass. Nodes sharing a
/// catalog all hear every change; a pass runs on the node holding the retention lease, and the
/// others let it (their next change tries again).
/// </summary>
public sealed class RetentionService(ICatalog catalog, ReleaseManager manager, ILeases leases, ClutchOptions options, ILogger<RetentionService> logger) : BackgroundService
{
    internal static readonly TimeSpan Debounce = TimeSpan.FromSeconds(1);

    private readonly Channel<ProjectName> _changed = Channel.CreateUnbounded<ProjectName>(new UnboundedChannelOptions { SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.KeepDev is not int keep)
        {
            return;
        }

        await Task.Yield();
        catalog.Changed += OnChanged;
        try
        {
            foreach (var project in await catalog.ListProjectsAsync(stoppingToken))
            {
                _changed.Writer.TryWrite(project.Name);
            }

            while (await _changed.Reader.WaitToReadAsync(stoppingToken))
            {
                await Task.Delay(Debounce, stoppingToken);
                var pending = new HashSet<ProjectName>();
                while (_changed.Reader.TryRead(out var project))
                {
                    pending.Add(project);
                }

                await using var lease = await leases.TryAcquireAsync("dev-retention", stoppingToken);
                if (lease is null)
                {
                    continue; // another node is applying retention to the same changes
                }

                foreach (var project in pending)
                {
                    await ApplyAsync(project, keep, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // host stopping
        }
        finally
        {
            catalog.Changed -= OnChanged;
        }
    }

    // Its own deletions raise Changed too; the next pass over that project finds nothing to do.
    private void OnChanged(object? sender, CatalogChangedEventArgs e)
    {
        foreach (var project in e.Projects)
        {
            _changed.Writer.TryWrite(project);
        }
    }

    private async Task ApplyAsync(ProjectName project, int keep, CancellationToken cancellationToken)
    {
        try
        {
            await manager.ApplyRetentionAsync(project, keep, dryRun: false, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Data.Common.DbException or StorageUnavailableException)
        {
            // One project's trouble must not stop retention of the others; the next change retries.
            ManageLog.RetentionFailed(logger, project.Value, e.Message);
        }
    }
}
