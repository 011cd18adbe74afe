using Clutch.Packaging;
using Microsoft.Data.Sqlite;

namespace Clutch.Storage.Sqlite;

public sealed partial class SqliteCatalog
{
    // What a repeated upsert keeps is CatalogSql's, shared with the PostgreSQL catalog.
    private const string UpsertFileSql = $"""
        INSERT INTO files ({FileColumns})
        VALUES ($path, $filename, $project, $version, $type, $python_tag, $requires_python, $sha256, $md5, $blake2b_256,
                $size, $upload_time, $uploader, $yanked, $yanked_reason, $metadata_sha256, $summary, $source_mtime_ticks,
                $source_inode, $source_ctime_ticks)
        ON CONFLICT(path) DO UPDATE SET
            {CatalogSql.UpsertFileAssignments}
        WHERE $scanned = 0 OR {CatalogSql.ScannedFileChanged}
        ON CONFLICT(filename) DO NOTHING
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
            await using var upsert = CreateFileCommand(connection, transaction, UpsertFileSql);
            upsert.Parameters.AddWithValue("$scanned", scanned ? 1 : 0);
            upsert.Prepare(); // compiled once, re-bound for every row of the batch
            foreach (var file in files)
            {
                await changes.TouchAsync(file.Project, file.ProjectDisplayName, cancellationToken);
                BindFile(upsert, file);
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
            // Under the writer lock and an IMMEDIATE transaction, so the check and the insert are one step
            // even against other processes sharing the file.
            existing = await FindFileAsync(connection, transaction, "filename", file.Filename, cancellationToken)
                ?? await FindFileAsync(connection, transaction, "path", file.Path, cancellationToken);
            if (existing is not null)
            {
                return false;
            }

            await changes.TouchAsync(file.Project, file.ProjectDisplayName, cancellationToken);
            await using var insert = CreateFileCommand(connection, transaction, $"""
                INSERT INTO files ({FileColumns})
                VALUES ($path, $filename, $project, $version, $type, $python_tag, $requires_python, $sha256, $md5, $blake2b_256,
                        $size, $upload_time, $uploader, $yanked, $yanked_reason, $metadata_sha256, $summary, $source_mtime_ticks,
                $source_inode, $source_ctime_ticks)
                """);
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
            await using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM files WHERE path = $path RETURNING project";
            var path = delete.Parameters.Add("$path", SqliteType.Text);
            var removedAny = false;
            foreach (var p in paths)
            {
                path.Value = p;
                string? project = null;
                await using (var reader = await delete.ExecuteReaderAsync(cancellationToken))
                {
                    if (await reader.ReadAsync(cancellationToken))
                    {
                        project = reader.GetString(0);
                    }
                }

                if (project is not null)
                {
                    removedAny = true;
                    await changes.TouchRemovedAsync(ProjectName.Normalize(project), cancellationToken);
                }
            }

            return removedAny;
        }, cancellationToken);
    }

    public Task<bool> FillDigestsAsync(string path, string sha256, string md5, string blake2b256, CancellationToken cancellationToken) =>
        UpdateFileAsync(
            """
            UPDATE files SET md5 = $md5, blake2b_256 = $blake2b
            WHERE path = $path AND sha256 = $sha256 AND (md5 = '' OR blake2b_256 = '')
            RETURNING project
            """,
            p =>
            {
                p.AddWithValue("$md5", md5);
                p.AddWithValue("$blake2b", blake2b256);
                p.AddWithValue("$path", path);
                p.AddWithValue("$sha256", sha256);
            },
            cancellationToken);

    public async Task<bool> SetYankedAsync(string filename, bool yanked, string? reason, CancellationToken cancellationToken) =>
        (await SetYankedAsync([filename], yanked, reason, cancellationToken)).Count > 0;

    public async Task<IReadOnlyList<string>> SetYankedAsync(
        IReadOnlyCollection<string> filenames, bool yanked, string? reason, CancellationToken cancellationToken)
    {
        var changed = new List<string>(filenames.Count);
        await WriteAsync(async (connection, transaction, changes) =>
        {
            changed.Clear();
            await using var update = connection.CreateCommand();
            update.Transaction = transaction;
            update.CommandText = "UPDATE files SET yanked = $yanked, yanked_reason = $reason WHERE filename = $filename RETURNING project";
            update.Parameters.AddWithValue("$yanked", yanked ? 1 : 0);
            update.Parameters.AddWithValue("$reason", yanked ? (object?)reason ?? DBNull.Value : DBNull.Value);
            var filename = update.Parameters.Add("$filename", SqliteType.Text);
            foreach (var name in filenames)
            {
                filename.Value = name;
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

    /// <summary>
    /// One UPDATE of a file row that returns its project (<c>RETURNING project</c>) in a write
    /// transaction; touches that project for the change feed. False when no row matched.
    /// </summary>
    private async Task<bool> UpdateFileAsync(string sql, Action<SqliteParameterCollection> bind, CancellationToken cancellationToken)
    {
        var updated = false;
        await WriteAsync(async (connection, transaction, changes) =>
        {
            await using var update = connection.CreateCommand();
            update.Transaction = transaction;
            update.CommandText = sql;
            bind(update.Parameters);
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

    public async Task ReplaceDeveloperLinksAsync(string source, IReadOnlyCollection<DeveloperLink> links, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        var wanted = links.Select(l => (l.Project.Value, l.Url)).ToHashSet();
        await WriteAsync(async (connection, transaction, changes) =>
        {
            var current = new HashSet<(string Project, string Url)>();
            await using (var select = connection.CreateCommand())
            {
                select.Transaction = transaction;
                select.CommandText = "SELECT project, url FROM developer_links WHERE source = $source";
                select.Parameters.AddWithValue("$source", source);
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

            await using (var delete = connection.CreateCommand())
            {
                delete.Transaction = transaction;
                delete.CommandText = "DELETE FROM developer_links WHERE source = $source";
                delete.Parameters.AddWithValue("$source", source);
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT OR IGNORE INTO developer_links (source, project, url) VALUES ($source, $project, $url)";
            insert.Parameters.AddWithValue("$source", source);
            var projectParameter = insert.Parameters.Add("$project", SqliteType.Text);
            var urlParameter = insert.Parameters.Add("$url", SqliteType.Text);
            foreach (var (project, url) in wanted)
            {
                projectParameter.Value = project;
                urlParameter.Value = url;
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Runs one write transaction under the writer lock; <paramref name="work"/> returns whether it
    /// changed anything. Changed is raised after commit, outside the lock.
    /// </summary>
    private async Task WriteAsync(
        Func<SqliteConnection, SqliteTransaction, ProjectChanges, Task<bool>> work, CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        CatalogChangedEventArgs? changed = null;
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = connection.BeginTransaction(deferred: false);
            await using var changes = new ProjectChanges(connection, transaction, _time.GetUtcNow());
            if (await work(connection, transaction, changes))
            {
                changed = await changes.CompleteAsync(cancellationToken);
                await RecordChangeAsync(connection, transaction, changed, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            else
            {
                await transaction.RollbackAsync(cancellationToken);
            }
        }
        finally
        {
            _writeLock.Release();
        }

        if (changed is not null && changed.Projects.Count > 0)
        {
            RaiseChanged(changed);
        }
    }

    private void RaiseChanged(CatalogChangedEventArgs args)
    {
        try
        {
            Changed?.Invoke(this, args);
        }
        catch (Exception ex)
        {
            // The change is committed; a failing subscriber must not make the write look failed.
            SqliteLog.ChangedHandlerFailed(_logger, ex, string.Join(", ", args.Projects));
        }
    }

    private static SqliteCommand CreateFileCommand(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in FileColumns.Split(", "))
        {
            command.Parameters.AddWithValue("$" + name, DBNull.Value);
        }

        return command;
    }

    private static void BindFile(SqliteCommand command, CatalogFile file)
    {
        var p = command.Parameters;
        p["$path"].Value = file.Path;
        p["$filename"].Value = file.Filename;
        p["$project"].Value = file.Project.Value;
        p["$version"].Value = file.Version;
        p["$type"].Value = file.Type.ToString();
        p["$python_tag"].Value = (object?)file.PythonTag ?? DBNull.Value;
        p["$requires_python"].Value = (object?)file.RequiresPython ?? DBNull.Value;
        p["$sha256"].Value = file.Sha256;
        p["$md5"].Value = file.Md5;
        p["$blake2b_256"].Value = file.Blake2b256;
        p["$size"].Value = file.Size;
        p["$upload_time"].Value = file.UploadTime.UtcTicks;
        p["$uploader"].Value = (object?)file.Uploader ?? DBNull.Value;
        p["$yanked"].Value = file.Yanked ? 1 : 0;
        p["$yanked_reason"].Value = (object?)file.YankedReason ?? DBNull.Value;
        p["$metadata_sha256"].Value = (object?)file.MetadataSha256 ?? DBNull.Value;
        p["$summary"].Value = (object?)file.Summary ?? DBNull.Value;
        p["$source_mtime_ticks"].Value = file.SourceMtimeTicks;
        p["$source_inode"].Value = file.SourceIdentity.Inode;
        p["$source_ctime_ticks"].Value = file.SourceIdentity.ChangeTicks;
    }
}
