using Clutch.Packaging;
using Npgsql;

namespace Clutch.Storage.Postgres;

/// <summary>
/// Collects the projects one write transaction touches: records each project row, remembers
/// whether the project was visible before, and at the end tells whether the project set changed
/// (the PostgreSQL twin of the SQLite catalog's).
/// </summary>
internal sealed class PostgresProjectChanges(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset now)
{
    private readonly Dictionary<string, bool> _visibleBefore = new(StringComparer.Ordinal);
    private readonly List<ProjectName> _projects = [];

    public IReadOnlyList<ProjectName> Projects => _projects;

    /// <summary>Records that <paramref name="project"/> is being changed (before the change is made).</summary>
    public async Task TouchAsync(ProjectName project, string? displayName, CancellationToken cancellationToken)
    {
        if (_visibleBefore.ContainsKey(project.Value))
        {
            return;
        }

        _visibleBefore[project.Value] = await IsVisibleAsync(project.Value, cancellationToken);
        _projects.Add(project);
        await UpsertProjectAsync(project.Value, string.IsNullOrWhiteSpace(displayName) ? project.Value : displayName, cancellationToken);
    }

    /// <summary>Records a project whose row was just removed from; it was visible before by definition.</summary>
    public async Task TouchRemovedAsync(ProjectName project, CancellationToken cancellationToken)
    {
        if (_visibleBefore.TryAdd(project.Value, true))
        {
            _projects.Add(project);
            await UpsertProjectAsync(project.Value, project.Value, cancellationToken);
        }
    }

    /// <summary>Compares visibility after the change; call before commit.</summary>
    public async Task<CatalogChangedEventArgs> CompleteAsync(CancellationToken cancellationToken)
    {
        var setChanged = false;
        foreach (var (project, before) in _visibleBefore)
        {
            if (await IsVisibleAsync(project, cancellationToken) != before)
            {
                setChanged = true;
                break;
            }
        }

        return new CatalogChangedEventArgs(_projects.ToArray(), setChanged);
    }

    private async Task UpsertProjectAsync(string name, string display, CancellationToken cancellationToken)
    {
        // A display name only replaces the fallback (the normalized name itself); the first real spelling wins.
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO projects (name, display_name, last_changed) VALUES ($1, $2, $3)
            ON CONFLICT (name) DO UPDATE SET
                last_changed = excluded.last_changed,
                display_name = CASE WHEN projects.display_name = projects.name THEN excluded.display_name ELSE projects.display_name END
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        command.Parameters.Add(new NpgsqlParameter { Value = display });
        command.Parameters.Add(new NpgsqlParameter { Value = now.UtcTicks });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<bool> IsVisibleAsync(string project, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT EXISTS (SELECT 1 FROM files WHERE project = $1) OR EXISTS (SELECT 1 FROM developer_links WHERE project = $1)",
            connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = project });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
