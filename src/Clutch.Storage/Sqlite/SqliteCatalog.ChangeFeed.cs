using Clutch.Packaging;
using Microsoft.Data.Sqlite;

namespace Clutch.Storage.Sqlite;

/// <summary>
/// The change feed: every write records the projects it touched in <c>change_log</c>, in the same
/// transaction, tagged with this instance's writer id. <see cref="PollForeignChangesAsync"/> reads
/// what other writers (a <c>clutch yank</c> from the shell, another server process on the same
/// file) committed since the last poll and raises <see cref="Changed"/> for it, so their pages are
/// dropped here too. Own changes were already raised when they committed.
/// </summary>
public sealed partial class SqliteCatalog
{
    private static readonly TimeSpan ChangeLogRetention = TimeSpan.FromHours(1);
    private readonly string _writerId = Guid.NewGuid().ToString("N");
    private long _lastSeenSeq = -1;

    /// <summary>
    /// True once <see cref="PollForeignChangesAsync"/> has noted where the change log ends: from then
    /// on every other writer's change is raised. A node takes traffic only then, or a change committed
    /// while it started would be taken as already seen and its pages would never learn of it.
    /// </summary>
    public bool TracksForeignChanges => Interlocked.Read(ref _lastSeenSeq) >= 0;

    private async Task RecordChangeAsync(SqliteConnection connection, SqliteTransaction transaction, CatalogChangedEventArgs changed, CancellationToken cancellationToken)
    {
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO change_log (writer, project, project_set_changed, at) VALUES ($writer, $project, $set, $at)";
        insert.Parameters.AddWithValue("$writer", _writerId);
        var project = insert.Parameters.AddWithValue("$project", "");
        insert.Parameters.AddWithValue("$set", changed.ProjectSetChanged ? 1 : 0);
        insert.Parameters.AddWithValue("$at", _time.GetUtcNow().UtcTicks);
        foreach (var p in changed.Projects)
        {
            project.Value = p.Value;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>An account change, in the log as a row without a project.</summary>
    private async Task RecordAccountsChangeAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO change_log (writer, project, project_set_changed, at) VALUES ($writer, '', 0, $at)";
        insert.Parameters.AddWithValue("$writer", _writerId);
        insert.Parameters.AddWithValue("$at", _time.GetUtcNow().UtcTicks);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Raises <see cref="Changed"/> (and <see cref="AccountsChanged"/>) for changes other writers committed since the last call; the
    /// first call only notes where the log ends. Returns how many projects were reported.
    /// </summary>
    public async Task<int> PollForeignChangesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenForReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        if (_lastSeenSeq < 0)
        {
            command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM change_log";
            _lastSeenSeq = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
            return 0;
        }

        command.CommandText = "SELECT seq, writer, project, project_set_changed FROM change_log WHERE seq > $last ORDER BY seq LIMIT 10000";
        command.Parameters.AddWithValue("$last", _lastSeenSeq);
        var projects = new HashSet<ProjectName>();
        var setChanged = false;
        var accountsChanged = false;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                _lastSeenSeq = reader.GetInt64(0);
                if (reader.GetString(1) == _writerId)
                {
                    continue;
                }

                var project = reader.GetString(2);
                if (project.Length == 0)
                {
                    accountsChanged = true;
                    continue;
                }

                projects.Add(ProjectName.Normalize(project));
                setChanged |= reader.GetInt64(3) != 0;
            }
        }

        if (projects.Count > 0)
        {
            RaiseChanged(new CatalogChangedEventArgs(projects.ToArray(), setChanged));
        }

        if (accountsChanged)
        {
            RaiseAccountsChanged();
        }

        return projects.Count;
    }

    /// <summary>Deletes change-log rows older than an hour (every poller has long read them).</summary>
    public async Task PruneChangeLogAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenForReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM change_log WHERE at < $cutoff";
        command.Parameters.AddWithValue("$cutoff", (_time.GetUtcNow() - ChangeLogRetention).UtcTicks);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
