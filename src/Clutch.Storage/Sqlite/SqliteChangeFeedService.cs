using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clutch.Storage.Sqlite;

/// <summary>Polls the catalog's change log for other writers' changes (four times a second) and prunes it.</summary>
internal sealed partial class SqliteChangeFeedService(SqliteCatalog catalog, ILogger<SqliteChangeFeedService> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lastPrune = DateTime.UtcNow;
        using var timer = new PeriodicTimer(PollInterval);
        try
        {
            do
            {
                try
                {
                    await catalog.PollForeignChangesAsync(stoppingToken);
                    if (DateTime.UtcNow - lastPrune > PruneInterval)
                    {
                        lastPrune = DateTime.UtcNow;
                        await catalog.PruneChangeLogAsync(stoppingToken);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogPollFailed(logger, catalog.DatabasePath, e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // host stopping
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the change log of {Catalog} failed: {Reason}")]
    private static partial void LogPollFailed(ILogger logger, string catalog, string reason);
}
