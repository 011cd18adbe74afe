using Clutch.Packaging;
using Npgsql;

namespace Clutch.Storage.Postgres;

public sealed partial class PostgresCatalog
{
    // The SQLite catalog's upsert ($21: true for the folder indexer's scanned upsert).
    private const string UpsertFileSql = $"""
        INSERT INTO files ({FileColumns})
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
        ON CONFLICT (path) DO UPDATE SET
            {CatalogSql.UpsertFileAssignments}
        WHERE NOT $21 OR {CatalogSql.ScannedFileChanged}
        """;

    private const string InsertFileSql = $"""
        INSERT INTO files ({FileColumns})
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
        """;

    /// <summary>
    /// Adds or replaces files by path. A file whose filename is already recorded under another path
    /// is ignored (filenames are unique); callers that care check first.
    /// </summary>
    public Task UpsertFilesAsync(IReadOnlyCollection<CatalogFile> files, CancellationToken cancellationToken) =>
        UpsertFilesAsync(files, scanned: false, cancellationToken);

    public Task UpsertScannedFilesAsync(IReadOnlyCollection<CatalogFile> files, CancellationToken cancellationToken) =>
        UpsertFilesAsync(files, scanned: true, cancellationToken);

    private async Task UpsertFilesAsync(IReadOnlyCollection<CatalogFile> files, bool scanned, CancellationToken cancellationToken)
    {
        if (files.Count == 0)
        {
            return;
        }

        await WriteAsync(async (connection, transaction, changes) =>
        {
            foreach (var file in files)
            {
                // Writes are serialized (the advisory lock), so this check cannot race another writer.
                if (await FindAsync(connection, transaction, "filename", file.Filename, cancellationToken) is { } other && other.Path != file.Path)
                {
                    continue;
                }

                await changes.TouchAsync(file.Project, file.ProjectDisplayName, cancellationToken);
                await using var upsert = new NpgsqlCommand(UpsertFileSql, connection, transaction);
                BindFile(upsert, file);
                upsert.Parameters.Add(new NpgsqlParameter { Value = scanned });
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }

            return true;
        }, cancellationToken);
    }

    public async Task<CatalogFile?> TryAddFileAsync(CatalogFile file, CancellationToken cancellationToken)
    {
        CatalogFile? existing = null;
        await WriteAsync(async (connection, transaction, changes) =>
        {
            existing = await FindAsync(connection, transaction, "filename", file.Filename, cancellationToken)
                ?? await FindAsync(connection, transaction, "path", file.Path, cancellationToken);
            if (existing is not null)
            {
                return false;
            }

            await changes.TouchAsync(file.Project, file.ProjectDisplayName, cancellationToken);
            await using var insert = new NpgsqlCommand(InsertFileSql, connection, transaction);
            BindFile(insert, file);
            await insert.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }, cancellationToken);
        return existing;
    }

    public async Task RemoveFilesAsync(IReadOnlyCollection<string> paths, CancellationToken cancellationToken)
    {
        if (paths.Count == 0)
        {
            return;
        }

        await WriteAsync(async (connection, transaction, changes) =>
        {
            var removedAny = false;
            foreach (var path in paths)
            {
                await using var delete = new NpgsqlCommand("DELETE FROM files WHERE path = $1 RETURNING project", connection, transaction);
                delete.Parameters.Add(new NpgsqlParameter { Value = path });
                if (await delete.ExecuteScalarAsync(cancellationToken) is string project)
                {
                    removedAny = true;
                    await changes.TouchRemovedAsync(ProjectName.Normalize(project), cancellationToken);
                }
            }

            return removedAny;
        }, cancellationToken);
    }

    public async Task<bool> FillDigestsAsync(string path, string sha256, string md5, string blake2b256, CancellationToken cancellationToken)
    {
        var updated = false;
        await WriteAsync(async (connection, transaction, changes) =>
        {
            await using var update = new NpgsqlCommand(
                """
                UPDATE files SET md5 = $1, blake2b_256 = $2
                WHERE path = $3 AND sha256 = $4 AND (md5 = '' OR blake2b_256 = '')
                RETURNING project
                """, connection, transaction);
            update.Parameters.Add(new NpgsqlParameter { Value = md5 });
            update.Parameters.Add(new NpgsqlParameter { Value = blake2b256 });
            update.Parameters.Add(new NpgsqlParameter { Value = path });
            update.Parameters.Add(new NpgsqlParameter { Value = sha256 });
            if (await update.ExecuteScalarAsync(cancellationToken) is not string project)
            {
                return false;
            }

            updated = true;
            await changes.TouchAsync(ProjectName.Normalize(project), null, cancellationToken);
            return true;
        }, cancellationToken);
        return updated;
    }

    public async Task<bool> SetYankedAsync(string filename, bool yanked, string? reason, CancellationToken cancellationToken) =>
        (await SetYankedAsync([filename], yanked, reason, cancellationToken)).Count > 0;

    public async Task<IReadOnlyList<string>> SetYankedAsync(IReadOnlyCollection<string> filenames, bool yanked, string? reason, CancellationToken cancellationToken)
    {
        var changed = new List<string>(filenames.Count);
        await WriteAsync(async (connection, transaction, changes) =>
        {
            changed.Clear();
            foreach (var name in filenames)
            {
                await using var update = new NpgsqlCommand("UPDATE files SET yanked = $1, yanked_reason = $2 WHERE filename = $3 RETURNING project", connection, transaction);
                update.Parameters.Add(new NpgsqlParameter { Value = yanked });
                update.Parameters.Add(new NpgsqlParameter { Value = yanked ? (object?)reason ?? DBNull.Value : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
                update.Parameters.Add(new NpgsqlParameter { Value = name });
                if (await update.ExecuteScalarAsync(cancellationToken) is string project)
                {
                    changed.Add(name);
                    await changes.TouchAsync(ProjectName.Normalize(project), null, cancellationToken);
                }
            }

            return changed.Count > 0;
        }, cancellationToken);
        return changed;
    }

    public async Task ReplaceDeveloperLinksAsync(string source, IReadOnlyCollection<DeveloperLink> links, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        var wanted = links.Select(l => (l.Project.Value, l.Url)).ToHashSet();
        await WriteAsync(async (connection, transaction, changes) =>
        {
            var current = new HashSet<(string Project, string Url)>();
            await using (var select = new NpgsqlCommand("SELECT project, url FROM developer_links WHERE source = $1", connection, transaction))
            {
                select.Parameters.Add(new NpgsqlParameter { Value = source });
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    current.Add((reader.GetString(0), reader.GetString(1)));
                }
            }

            if (current.SetEquals(wanted))
            {
                return false; // unchanged: no write, no Changed event
            }

            foreach (var project in current.Select(c => c.Project).Concat(wanted.Select(w => w.Item1)).Distinct())
            {
                await changes.TouchAsync(ProjectName.Normalize(project), null, cancellationToken);
            }

            await using (var delete = new NpgsqlCommand("DELETE FROM developer_links WHERE source = $1", connection, transaction))
            {
                delete.Parameters.Add(new NpgsqlParameter { Value = source });
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }

            foreach (var (project, url) in wanted)
            {
                await using var insert = new NpgsqlCommand(
                    "INSERT INTO developer_links (source, project, url) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", connection, transaction);
                insert.Parameters.Add(new NpgsqlParameter { Value = source });
                insert.Parameters.Add(new NpgsqlParameter { Value = project });
                insert.Parameters.Add(new NpgsqlParameter { Value = url });
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// One write transaction, serialized with every other node's writes by an advisory lock;
    /// <paramref name="work"/> returns whether it changed anything. The change is recorded in the
    /// change log and announced (NOTIFY, delivered at commit); <see cref="Changed"/> is raised here
    /// after commit.
    /// </summary>
    private async Task WriteAsync(Func<NpgsqlConnection, NpgsqlTransaction, PostgresProjectChanges, Task<bool>> work, CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        var changed = await GuardAsync<CatalogChangedEventArgs?>(async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({_writeLock})", cancellationToken);
            var changes = new PostgresProjectChanges(connection, transaction, _time.GetUtcNow());
            if (!await work(connection, transaction, changes))
            {
                await transaction.RollbackAsync(cancellationToken);
                return null;
            }

            var args = await changes.CompleteAsync(cancellationToken);
            foreach (var project in args.Projects)
            {
                await RecordChangeAsync(connection, transaction, project.Value, args.ProjectSetChanged, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return args;
        });

        if (changed is not null && changed.Projects.Count > 0)
        {
            RaiseChanged(changed);
        }
    }

    /// <summary>One change-log row (a project, or "" for an account change) and the notification that wakes every node's feed.</summary>
    private async Task RecordChangeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string project, bool setChanged, CancellationToken cancellationToken)
    {
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO change_log (writer, project, project_set_changed, at) VALUES ($1, $2, $3, $4)", connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = _writerId });
            insert.Parameters.Add(new NpgsqlParameter { Value = project });
            insert.Parameters.Add(new NpgsqlParameter { Value = setChanged });
            insert.Parameters.Add(new NpgsqlParameter { Value = _time.GetUtcNow().UtcTicks });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await ExecuteAsync(connection, transaction, $"SELECT pg_notify('{Channel}', '')", cancellationToken);
    }

    internal void RaiseChanged(CatalogChangedEventArgs args)
    {
        try
        {
            Changed?.Invoke(this, args);
        }
        catch (Exception ex)
        {
            // The change is committed; a failing subscriber must not make the write look failed.
            PostgresLog.ChangedHandlerFailed(_logger, ex, string.Join(", ", args.Projects));
        }
    }

    private static async Task<CatalogFile?> FindAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string column, string value, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {FileColumns} FROM files WHERE {column} = $1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadFile(reader) : null;
    }

    private static void BindFile(NpgsqlCommand command, CatalogFile file)
    {
        var p = command.Parameters;
        p.Add(new NpgsqlParameter { Value = file.Path });
        p.Add(new NpgsqlParameter { Value = file.Filename });
        p.Add(new NpgsqlParameter { Value = file.Project.Value });
        p.Add(new NpgsqlParameter { Value = file.Version });
        p.Add(new NpgsqlParameter { Value = file.Type.ToString() });
        p.Add(Text(file.PythonTag));
        p.Add(Text(file.RequiresPython));
        p.Add(new NpgsqlParameter { Value = file.Sha256 });
        p.Add(new NpgsqlParameter { Value = file.Md5 });
        p.Add(new NpgsqlParameter { Value = file.Blake2b256 });
        p.Add(new NpgsqlParameter { Value = file.Size });
        p.Add(new NpgsqlParameter { Value = file.UploadTime.UtcTicks });
        p.Add(Text(file.Uploader));
        p.Add(new NpgsqlParameter { Value = file.Yanked });
        p.Add(Text(file.YankedReason));
        p.Add(Text(file.MetadataSha256));
        p.Add(Text(file.Summary));
        p.Add(new NpgsqlParameter { Value = file.SourceMtimeTicks });
        p.Add(new NpgsqlParameter { Value = file.SourceIdentity.Inode });
        p.Add(new NpgsqlParameter { Value = file.SourceIdentity.ChangeTicks });
    }

    private static NpgsqlParameter Text(string? value) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text };
}
