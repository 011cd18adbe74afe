using System.Data;
using Clutch.Packaging;
using Clutch.Storage.Indexes;
using Npgsql;

namespace Clutch.Storage.Postgres;

/// <summary>Index definitions, the guard's exceptions, promotions and the mirror's pages and file ledger.</summary>
public sealed partial class PostgresCatalog : IIndexStore
{
    private const string PromotionColumns = "from_index, to_index, project, version, filename, sha256, actor, at";

    public Task<IReadOnlyList<IndexDefinition>> ListIndexesAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<IndexDefinition>>(async connection =>
        {
            // One snapshot for the definitions and their allowed names.
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            var allowed = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            await using (var command = new NpgsqlCommand(
                "SELECT index_name, project FROM index_allowed ORDER BY index_name COLLATE \"C\", project COLLATE \"C\"", connection, transaction))
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
            await using (var command = new NpgsqlCommand(
                "SELECT name, upstream, bases, ttl, private, created, created_by, uploaders FROM indexes ORDER BY name COLLATE \"C\"", connection, transaction))
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
                        reader.GetBoolean(4),
                        allowed.TryGetValue(name, out var names) ? names : [],
                        new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero),
                        reader.IsDBNull(6) ? null : reader.GetString(6))
                    {
                        Uploaders = IndexBasesColumn.Read(reader.GetString(7)),
                    });
                }
            }

            await transaction.CommitAsync(cancellationToken);
            return result;
        }, cancellationToken);

    public Task<bool> CreateIndexAsync(IndexDefinition index, CancellationToken cancellationToken) =>
        WriteIndexesAsync(async (connection, transaction) =>
        {
            await using (var insert = new NpgsqlCommand(
                """
                INSERT INTO indexes (name, upstream, bases, ttl, private, created, created_by, uploaders) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (name) DO NOTHING
                """, connection, transaction))
            {
                Bind(insert, [index.Name, index.Upstream, IndexBasesColumn.Write(index.Bases), (long)index.Ttl.TotalSeconds, index.Private,
                    index.Created.UtcTicks, index.CreatedBy, IndexBasesColumn.Write(index.Uploaders)]);
                if (await insert.ExecuteNonQueryAsync(cancellationToken) != 1)
                {
                    return false;
                }
            }

            foreach (var project in index.Allowed)
            {
                await using var allow = new NpgsqlCommand(
                    "INSERT INTO index_allowed (index_name, project) VALUES ($1, $2) ON CONFLICT DO NOTHING", connection, transaction);
                Bind(allow, [index.Name, project]);
                await allow.ExecuteNonQueryAsync(cancellationToken);
            }

            return true;
        }, cancellationToken);

    public Task<bool> DeleteIndexAsync(string name, CancellationToken cancellationToken) =>
        WriteIndexesAsync(async (connection, transaction) =>
        {
            // Promotions are history and stay.
            var removed = 0;
            foreach (var sql in (string[])[
                "DELETE FROM index_allowed WHERE index_name = $1", "DELETE FROM mirror_pages WHERE index_name = $1",
                "DELETE FROM mirror_files WHERE index_name = $1", "DELETE FROM indexes WHERE name = $1"])
            {
                await using var command = new NpgsqlCommand(sql, connection, transaction);
                Bind(command, [name]);
                removed = await command.ExecuteNonQueryAsync(cancellationToken);
            }

            return removed == 1;
        }, cancellationToken);

    public Task<bool> SetAllowedAsync(string index, ProjectName project, bool allowed, CancellationToken cancellationToken) =>
        WriteIndexesAsync(async (connection, transaction) =>
        {
            // Under the write lock, so the index cannot be deleted between the check and the change.
            await using (var exists = new NpgsqlCommand("SELECT 1 FROM indexes WHERE name = $1", connection, transaction))
            {
                Bind(exists, [index]);
                if (await exists.ExecuteScalarAsync(cancellationToken) is null)
                {
                    return false;
                }
            }

            await using var command = new NpgsqlCommand(allowed
                ? "INSERT INTO index_allowed (index_name, project) VALUES ($1, $2) ON CONFLICT DO NOTHING"
                : "DELETE FROM index_allowed WHERE index_name = $1 AND project = $2", connection, transaction);
            Bind(command, [index, project.Value]);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }, cancellationToken);

    public Task RecordPromotionsAsync(IReadOnlyCollection<Promotion> promotions, CancellationToken cancellationToken) =>
        WriteIndexesAsync(async (connection, transaction) =>
        {
            foreach (var promotion in promotions)
            {
                await using var command = new NpgsqlCommand(
                    $"INSERT INTO promotions ({PromotionColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", connection, transaction);
                Bind(command, [promotion.FromIndex, promotion.ToIndex, promotion.Project.Value, promotion.Version, promotion.Filename,
                    promotion.Sha256, promotion.Actor, promotion.At.UtcTicks]);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<Promotion>> ListPromotionsAsync(string? index, CancellationToken cancellationToken) =>
        index is null
            ? ReadListAsync($"SELECT {PromotionColumns} FROM promotions ORDER BY at, id", null, ReadPromotion, cancellationToken)
            : ReadListAsync($"SELECT {PromotionColumns} FROM promotions WHERE from_index = $1 OR to_index = $1 ORDER BY at, id", index, ReadPromotion, cancellationToken);

    public Task<MirrorPage?> GetMirrorPageAsync(string index, string project, CancellationToken cancellationToken) =>
        ReadAsync(async connection =>
        {
            await using var command = new NpgsqlCommand(
                "SELECT index_name, project, body, etag, fetched_at FROM mirror_pages WHERE index_name = $1 AND project = $2", connection);
            Bind(command, [index, project]);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken)
                ? new MirrorPage(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                    new DateTimeOffset(reader.GetInt64(4), TimeSpan.Zero))
                : null;
        }, cancellationToken);

    public Task PutMirrorPageAsync(MirrorPage page, CancellationToken cancellationToken) =>
        WriteIndexesAsync(
            """
            INSERT INTO mirror_pages (index_name, project, body, etag, fetched_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (index_name, project) DO UPDATE SET body = excluded.body, etag = excluded.etag, fetched_at = excluded.fetched_at
            """,
            [page.Index, page.Project, page.Body, page.ETag, page.FetchedAt.UtcTicks], cancellationToken);

    public Task AddMirrorFileAsync(MirrorFile file, CancellationToken cancellationToken) =>
        WriteIndexesAsync(
            """
            INSERT INTO mirror_files (index_name, key, size, last_used) VALUES ($1, $2, $3, $4)
            ON CONFLICT (index_name, key) DO UPDATE SET size = excluded.size, last_used = excluded.last_used
            """,
            [file.Index, file.Key, file.Size, file.LastUsed.UtcTicks], cancellationToken);

    public Task TouchMirrorFilesAsync(IReadOnlyCollection<(string Index, string Key)> files, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteIndexesAsync(async (connection, transaction) =>
        {
            foreach (var (index, key) in files)
            {
                await using var command = new NpgsqlCommand("UPDATE mirror_files SET last_used = $3 WHERE index_name = $1 AND key = $2", connection, transaction);
                Bind(command, [index, key, at.UtcTicks]);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<MirrorFile>> ListMirrorFilesAsync(CancellationToken cancellationToken) =>
        ReadListAsync(
            "SELECT index_name, key, size, last_used FROM mirror_files ORDER BY last_used, index_name COLLATE \"C\", key COLLATE \"C\"", null,
            static r => new MirrorFile(r.GetString(0), r.GetString(1), r.GetInt64(2), new DateTimeOffset(r.GetInt64(3), TimeSpan.Zero)),
            cancellationToken);

    public Task<bool> RemoveMirrorFileAsync(string index, string key, CancellationToken cancellationToken) =>
        WriteIndexesAsync("DELETE FROM mirror_files WHERE index_name = $1 AND key = $2", [index, key], cancellationToken);

    private static Promotion ReadPromotion(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), ProjectName.Normalize(r.GetString(2)), r.GetString(3), r.GetString(4), r.GetString(5),
        r.IsDBNull(6) ? null : r.GetString(6), new DateTimeOffset(r.GetInt64(7), TimeSpan.Zero));

    /// <summary>One statement in an index store write; true when it changed a row.</summary>
    private Task<bool> WriteIndexesAsync(string sql, object?[] values, CancellationToken cancellationToken) =>
        WriteIndexesAsync(async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            Bind(command, values);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    /// <summary>
    /// One write transaction under the catalog's write lock (so check-then-change steps stay atomic
    /// across nodes). Not a catalog or account change: no change-log row, no NOTIFY, no event.
    /// </summary>
    private async Task<T> WriteIndexesAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        return await GuardAsync(async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({_writeLock})", cancellationToken);
            var value = await work(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return value;
        });
    }
}
