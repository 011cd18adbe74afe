using Clutch.Packaging;
using Microsoft.Data.Sqlite;

namespace Clutch.Storage.Sqlite;

/// <summary>
/// Collects the projects one write transaction touches: records each project row, remembers
/// whether the project was visible before, and at the end tells whether the project set changed.
/// </summary>
internal sealed class ProjectChanges : IAsyncDisposable
{
    private readonly Dictionary<string, bool> _visibleBefore = new(StringComparer.Ordinal);
    private readonly List<ProjectName> _projects = [];
    private readonly SqliteCommand _visible;
    private readonly SqliteCommand _upsertProject;

    public ProjectChanges(SqliteConnection connection, SqliteTransaction transaction, DateTimeOffset now)
    {
        _visible = connection.CreateCommand();
        _visible.Transaction = transaction;
        _visible.CommandText = """
            SELECT EXISTS (SELECT 1 FROM files WHERE project = $project)
                OR EXISTS (SELECT 1 FROM developer_links WHERE project = $project)
            """;
        _visible.Parameters.AddWithValue("$project", DBNull.Value);

        // A display name only replaces the fallback (the normalized name itself); the first real
        // spelling wins.
        _upsertProject = connection.CreateCommand();
        _upsertProject.Transaction = transaction;
        _upsertProject.CommandText = """
            INSERT INTO projects (name, display_name, last_changed) VALUES ($name, $display, $now)
            ON CONFLICT(name) DO UPDATE SET
                last_changed = excluded.last_changed,
                display_name = CASE WHEN projects.display_name = projects.name THEN excluded.display_name ELSE projects.display_name END
            """;
        _upsertProject.Parameters.AddWithValue("$name", DBNull.Value);
        _upsertProject.Parameters.AddWithValue("$display", DBNull.Value);
        _upsertProject.Parameters.AddWithValue("$now", now.UtcTicks);
    }

    /// <summary>Records that <paramref name="project"/> is being changed (before the change is made).</summary>
    public async Task TouchAsync(ProjectName project, string? displayName, CancellationToken cancellationToken)
    {
        if (_visibleBefore.ContainsKey(project.Value))
        {
            return;
        }

        _visibleBefore[project.Value] = await IsVisibleAsync(project.Value, cancellationToken);
        _projects.Add(project);
        _upsertProject.Parameters["$name"].Value = project.Value;
        _upsertProject.Parameters["$display"].Value = string.IsNullOrWhiteSpace(displayName) ? project.Value : displayName;
        await _upsertProject.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Records a project whose row was just removed from; it was visible before by definition.</summary>
    public async Task TouchRemovedAsync(ProjectName project, CancellationToken cancellationToken)
    {
        if (_visibleBefore.TryAdd(project.Value, true))
        {
            _projects.Add(project);
            _upsertProject.Parameters["$name"].Value = project.Value;
            _upsertProject.Parameters["$display"].Value = project.Value;
            await _upsertProject.ExecuteNonQueryAsync(cancellationToken);
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

    public async ValueTask DisposeAsync()
    {
        await _visible.DisposeAsync();
        await _upsertProject.DisposeAsync();
    }

    private async Task<bool> IsVisibleAsync(string project, CancellationToken cancellationToken)
    {
        _visible.Parameters["$project"].Value = project;
        return Convert.ToInt64(await _visible.ExecuteScalarAsync(cancellationToken)) != 0;
    }
}
