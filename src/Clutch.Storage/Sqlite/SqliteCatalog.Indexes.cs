using Clutch.Packaging;
using Clutch.Storage.Indexes;
using Microsoft.Data.Sqlite;

namespace Clutch.Storage.Sqlite;

/// <summary>Index definitions, the guard's exceptions, promotions and the mirror's pages and file ledger.</summary>
public sealed partial class SqliteCatalog : IIndexStore
{
    private const string PromotionColumns = "from_index, to_index, project, version, filename, sha256, actor, at";

    public async Task<IReadOnlyList<IndexDefinition>> ListIndexesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenForReadAsync(cancellationToken);
        // One read transaction: the definitions and their allowed names from the same snapshot.
        await using var transaction = connection.BeginTransaction(deferred: true);
        var allowed = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await using (var command = Command(connection, transaction, "SELECT index_name, project FROM index_allowed ORDER BY index_name, project"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var index = reader.GetString(0);
                if (!allowed.TryGetValue(index, out var names))
                {
                    allowed[index] = names = [];
                }

                names.Add(reader.GetString(1));
            }
        }

        var result = new List<IndexDefinition>();
        await using (var command = Command(connection, transaction, "SELECT name, upstream, bases, ttl, private, created, created_by, uploaders FROM indexes ORDER BY name"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var name = reader.GetString(0);
                result.Add(new IndexDefinition(
                    name,
                    reader.IsDBNull(1) ? null : reader.GetString(1),
                    IndexBasesColumn.Read(reader.GetString(2)),
                    TimeSpan.FromSeconds(reader.GetInt64(3)),
                    reader.GetInt64(4) != 0,
                    allowed.TryGetValue(name, out var names) ? names : [],
                    new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero),
                    reader.IsDBNull(6) ? null : reader.GetString(6))
                {
                    Uploaders = IndexBasesColumn.Read(reader.GetString(7)),
                });
            }
        }

        return result;
    }

    public Task<bool> CreateIndexAsync(IndexDefinition index, CancellationToken cancellationToken) =>
        WriteIndexesAsync(async (connection, transaction) =>
        {
            await using (var insert = Command(connection, transaction, """
                INSERT INTO indexes (name, upstream, bases, ttl, private, created, created_by, uploaders)
                VALUES ($name, $upstream, $bases, $ttl, $private, $created, $by, $uploaders)
                ON CONFLICT(name) DO NOTHING
                """))
            {
                insert.Parameters.AddWithValue("$name", index.Name);
                insert.Parameters.AddWithValue("$upstream", (object?)index.Upstream ?? DBNull.Value);
                insert.Parameters.AddWithValue("$bases", IndexBasesColumn.Write(index.Bases));
                insert.Parameters.AddWithValue("$ttl", (long)index.Ttl.TotalSeconds);
                insert.Parameters.AddWithValue("$private", index.Private ? 1 : 0);
                insert.Parameters.AddWithValue("$created", index.Created.UtcTicks);
                insert.Parameters.AddWithValue("$by", (object?)index.CreatedBy ?? DBNull.Value);
                insert.Parameters.AddWithValue("$uploaders", IndexBasesColumn.Write(index.Uploaders));
                if (await insert.ExecuteNonQueryAsync(cancellationToken) != 1)
                {
                    return false;
                }
            }

            await using var allow = Command(connection, transaction, "INSERT OR IGNORE INTO index_allowed (index_name, project) VALUES ($index, $project)");
            foreach (var project in index.Allowed)
            {
                allow.Parameters.Clear();
                allow.Parameters.AddWithValue("$index", index.Name);
                allow.Parameters.AddWithValue("$project", project);
                await allow.ExecuteNonQueryAsync(cancellationToken);
            }

            return true;
        }, cancellationToken);

    public Task<bool> DeleteIndexAsync(string name, CancellationToken cancellationToken) =>
        WriteIndexesAsync(async (connection, transaction) =>
        {
            // Promotions are history and stay.
            await using var command = Command(connection, transaction, """
                DELETE FROM index_allowed WHERE index_name = $name;
                DELETE FROM mirror_pages WHERE index_name = $name;
                DELETE FROM mirror_files WHERE index_name = $name;
                DELETE FROM indexes WHERE name = $name;
                SELECT changes();
                """);
            command.Parameters.AddWithValue("$name", name);
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken)) == 1;
        }, cancellationToken);

    public Task<bool> SetAllowedAsync(string index, ProjectName project, bool allowed, CancellationToken cancellationToken) =>
        WriteIndexesAsync(async (connection, transaction) =>
        {
            // Under the writer lock, so the index cannot be deleted between the check and the change.
            await using (var exists = Command(connection, transaction, "SELECT 1 FROM indexes WHERE name = $index"))
            {
                exists.Parameters.AddWithValue("$index", index);
                if (await exists.ExecuteScalarAsync(cancellationToken) is null)
                {
                    return false;
                }
            }

            await using var command = Command(connection, transaction, allowed
                ? "INSERT OR IGNORE INTO index_allowed (index_name, project) VALUES ($index, $project)"
                : "DELETE FROM index_allowed WHERE index_name = $index AND project = $project");
            command.Parameters.AddWithValue("$index", index);
            command.Parameters.AddWithValue("$project", project.Value);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }, cancellationToken);

    public Task RecordPromotionsAsync(IReadOnlyCollection<Promotion> promotions, CancellationToken cancellationToken) =>
        WriteIndexesAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction,
                $"INSERT INTO promotions ({PromotionColumns}) VALUES ($from, $to, $project, $version, $filename, $sha256, $actor, $at)");
            foreach (var promotion in promotions)
            {
                command.Parameters.Clear();
                command.Parameters.AddWithValue("$from", promotion.FromIndex);
                command.Parameters.AddWithValue("$to", promotion.ToIndex);
                command.Parameters.AddWithValue("$project", promotion.Project.Value);
                command.Parameters.AddWithValue("$version", promotion.Version);
                command.Parameters.AddWithValue("$filename", promotion.Filename);
                command.Parameters.AddWithValue("$sha256", promotion.Sha256);
                command.Parameters.AddWithValue("$actor", (object?)promotion.Actor ?? DBNull.Value);
                command.Parameters.AddWithValue("$at", promotion.At.UtcTicks);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            return true;
        }, cancellationToken);

    public async Task<IReadOnlyList<Promotion>> ListPromotionsAsync(string? index, CancellationToken cancellationToken) =>
        await ReadAccountsAsync(
            $"SELECT {PromotionColumns} FROM promotions WHERE $p IS NULL OR from_index = $p OR to_index = $p ORDER BY at, id",
            index, ReadPromotion, cancellationToken);

    public async Task<MirrorPage?> GetMirrorPageAsync(string index, string project, CancellationToken cancellationToken)
    {
        await using var connection = await OpenForReadAsync(cancellationToken);
        await using var command = Command(connection, null,
            "SELECT index_name, project, body, etag, fetched_at FROM mirror_pages WHERE index_name = $index AND project = $project");
        command.Parameters.AddWithValue("$index", index);
        command.Parameters.AddWithValue("$project", project);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new MirrorPage(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                new DateTimeOffset(reader.GetInt64(4), TimeSpan.Zero))
            : null;
    }

    public Task PutMirrorPageAsync(MirrorPage page, CancellationToken cancellationToken) =>
        WriteIndexesAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction, """
                INSERT OR REPLACE INTO mirror_pages (index_name, project, body, etag, fetched_at)
                VALUES ($index, $project, $body, $etag, $at)
                """);
            command.Parameters.AddWithValue("$index", page.Index);
            command.Parameters.AddWithValue("$project", page.Project);
            command.Parameters.AddWithValue("$body", page.Body);
            command.Parameters.AddWithValue("$etag", (object?)page.ETag ?? DBNull.Value);
            command.Parameters.AddWithValue("$at", page.FetchedAt.UtcTicks);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task AddMirrorFileAsync(MirrorFile file, CancellationToken cancellationToken) =>
        WriteIndexesAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction,
                "INSERT OR REPLACE INTO mirror_files (index_name, key, size, last_used) VALUES ($index, $key, $size, $at)");
            command.Parameters.AddWithValue("$index", file.Index);
            command.Parameters.AddWithValue("$key", file.Key);
            command.Parameters.AddWithValue("$size", file.Size);
            command.Parameters.AddWithValue("$at", file.LastUsed.UtcTicks);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task TouchMirrorFilesAsync(IReadOnlyCollection<(string Index, string Key)> files, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteIndexesAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction, "UPDATE mirror_files SET last_used = $at WHERE index_name = $index AND key = $key");
            foreach (var (index, key) in files)
            {
                command.Parameters.Clear();
                command.Parameters.AddWithValue("$index", index);
                command.Parameters.AddWithValue("$key", key);
                command.Parameters.AddWithValue("$at", at.UtcTicks);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            return true;
        }, cancellationToken);

    public async Task<IReadOnlyList<MirrorFile>> ListMirrorFilesAsync(CancellationToken cancellationToken) =>
        await ReadListAsync(
            "SELECT index_name, key, size, last_used FROM mirror_files ORDER BY last_used, index_name, key",
            static r => new MirrorFile(r.GetString(0), r.GetString(1), r.GetInt64(2), new DateTimeOffset(r.GetInt64(3), TimeSpan.Zero)),
            cancellationToken);

    public Task<bool> RemoveMirrorFileAsync(string index, string key, CancellationToken cancellationToken) =>
        WriteIndexesAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction, "DELETE FROM mirror_files WHERE index_name = $index AND key = $key");
            command.Parameters.AddWithValue("$index", index);
            command.Parameters.AddWithValue("$key", key);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    private static Promotion ReadPromotion(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), ProjectName.Normalize(r.GetString(2)), r.GetString(3), r.GetString(4), r.GetString(5),
        r.IsDBNull(6) ? null : r.GetString(6), new DateTimeOffset(r.GetInt64(7), TimeSpan.Zero));

    /// <summary>
    /// One write transaction under the writer lock. Not a catalog or account change: it raises no
    /// event and writes no change-log row.
    /// </summary>
    private async Task<T> WriteIndexesAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = connection.BeginTransaction(deferred: false);
            var result = await work(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
