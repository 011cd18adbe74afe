using Clutch.Packaging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Clutch.Storage.Postgres;

/// <summary>
/// Brings other nodes' changes to this one: a dedicated connection LISTENs on the catalog's
/// channel, and each notification (or, as a safety net, every few seconds) reads the change log
/// after the last row seen, raising the catalog's events for other writers' changes (its own were
/// raised at commit). After the connection drops it reconnects with backoff and reads what was
/// logged meanwhile, so no change is missed. Old log rows are pruned.
/// </summary>
public sealed class PostgresChangeFeed(PostgresCatalog catalog, ILogger<PostgresChangeFeed> logger) : BackgroundService
{
    private static readonly TimeSpan SafetyPoll = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Retention = TimeSpan.FromHours(1);
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastSeen = -1;

    /// <summary>Completes once the feed listens and knows where the log ends (changes committed after that are raised).</summary>
    internal Task Listening => _listening.Task;

    /// <summary>
    /// True once the feed has listened for the first time: from then on every other writer's change
    /// is raised here. A node takes traffic only then, or a change committed while it started would
    /// be taken as already seen and its pages would never learn of it.
    /// </summary>
    public bool IsListening => _listening.Task.IsCompleted;

    /// <summary>
    /// Reads the change log after the last row seen and raises events; the first call only notes
    /// where it ends. Reading by seq misses nothing because every writer inserts its rows while
    /// holding the catalog's write lock until commit: seq order is commit order.
    /// </summary>
    internal async Task<int> PollAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (_lastSeen < 0)
        {
            await using var start = new NpgsqlCommand("SELECT COALESCE(MAX(seq), 0) FROM change_log", connection);
            _lastSeen = (long)(await start.ExecuteScalarAsync(cancellationToken))!;
            return 0;
        }

        await using var command = new NpgsqlCommand("SELECT seq, writer, project, project_set_changed FROM change_log WHERE seq > $1 ORDER BY seq LIMIT 10000", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = _lastSeen });
        var projects = new HashSet<ProjectName>();
        var setChanged = false;
        var accounts = false;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                _lastSeen = reader.GetInt64(0);
                if (reader.GetString(1) == catalog.WriterId)
                {
                    continue;
                }

                var project = reader.GetString(2);
                if (project.Length == 0)
                {
                    accounts = true;
                    continue;
                }

                projects.Add(ProjectName.Normalize(project));
                setChanged |= reader.GetBoolean(3);
            }
        }

        if (projects.Count > 0)
        {
            catalog.RaiseChanged(new CatalogChangedEventArgs(projects.ToArray(), setChanged));
        }

        if (accounts)
        {
            catalog.RaiseAccountsChanged();
        }

        return projects.Count + (accounts ? 1 : 0);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        var lastPrune = DateTime.UtcNow;
        var lost = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await catalog.MigrateAsync(stoppingToken);
                await using var connection = catalog.CreateDedicatedConnection("feed");
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {catalog.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Listening first, then reading: a change committed in between is in the log either way.
                var caughtUp = await PollAsync(connection, stoppingToken);
                _listening.TrySetResult();
                if (lost)
                {
                    PostgresLog.FeedBack(logger, catalog.Description, caughtUp);
                    lost = false;
                }

                backoff = TimeSpan.FromMilliseconds(100);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(SafetyPoll, stoppingToken);
                    await PollAsync(connection, stoppingToken);
                    if (DateTime.UtcNow - lastPrune > TimeSpan.FromMinutes(10))
                    {
                        lastPrune = DateTime.UtcNow;
                        await using var prune = new NpgsqlCommand("DELETE FROM change_log WHERE at < $1", connection);
                        prune.Parameters.Add(new NpgsqlParameter { Value = (DateTimeOffset.UtcNow - Retention).UtcTicks });
                        await prune.ExecuteNonQueryAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (!lost)
                {
                    PostgresLog.FeedLost(logger, catalog.Description, e.Message);
                    lost = true;
                }

                try
                {
                    await Task.Delay(backoff, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 2000));
            }
        }
    }
}
