using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Clutch.Packaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Clutch.Storage.Postgres;

/// <summary>
/// The catalog on PostgreSQL, shared by every node: the same tables and semantics as the SQLite
/// catalog. Reads run on pooled connections; every write is one transaction that first takes a
/// transaction-level advisory lock, so writes from all nodes are applied one at a time as SQLite's
/// are (writes are rare next to reads) and check-then-insert steps stay atomic across nodes.
/// Committed changes are recorded in <c>change_log</c> and announced with NOTIFY (see
/// <see cref="PostgresChangeFeed"/>). A server that cannot be reached surfaces as
/// <see cref="StorageUnavailableException"/>.
/// Several catalogs can share one database, each in a schema of its own (see <see cref="Schema"/>).
/// </summary>
public sealed partial class PostgresCatalog : ICatalog, IFolderIndexCatalog, IAsyncDisposable
{
    private const string DefaultChannel = "clutch_changes";

    private const string FileColumns =
        "path, filename, project, version, type, python_tag, requires_python, sha256, md5, blake2b_256, size, " +
        "upload_time, uploader, yanked, yanked_reason, metadata_sha256, summary, source_mtime_ticks, " +
        "source_inode, source_ctime_ticks";

    // pg_advisory_xact_lock keys (database-wide): one for schema migrations, shared by every
    // catalog in the database (migrations are rare); one for every write of the catalog in the
    // public schema, and one per other schema (see WriteLockKey), so catalogs in different schemas
    // do not wait for each other's writes.
    private const long MigrationLock = 0x436c75746368_01;
    private const long DefaultWriteLock = 0x436c75746368_02;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<PostgresCatalog> _logger;
    private readonly TimeProvider _time;
    private readonly string _writerId = Guid.NewGuid().ToString("N");
    private readonly long _writeLock;
    private volatile bool _migrated;

    /// <summary>
    /// A catalog in the database at <paramref name="url"/>: in its default (public) schema, or, with
    /// <paramref name="schema"/>, in that schema (created by <see cref="MigrateAsync"/>), with a change
    /// feed channel and write lock of its own.
    /// </summary>
    /// <exception cref="ArgumentException">The URL is not a PostgreSQL URL, or the schema name is not acceptable.</exception>
    public PostgresCatalog(string url, ILogger<PostgresCatalog>? logger = null, TimeProvider? time = null, string? schema = null)
    {
        if (schema is not null)
        {
            ValidateSchema(schema);
        }

        Schema = schema;
        var connectionString = PostgresUrl.ToConnectionString(url);
        ConnectionString = schema is null
            ? connectionString
            : new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema }.ConnectionString;
        Description = schema is null ? PostgresUrl.Redact(url) : $"{PostgresUrl.Redact(url)} (schema {schema})";
        Channel = schema ?? DefaultChannel;
        _writeLock = schema is null ? DefaultWriteLock : WriteLockKey(schema);
        var builder = new NpgsqlSlimDataSourceBuilder(ConnectionString);
        _dataSource = builder.Build();
        _logger = logger ?? NullLogger<PostgresCatalog>.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The URL without its password (and the schema, if any), for messages.</summary>
    public string Description { get; }

    /// <summary>The schema holding this catalog's tables, or null for the database's default (public) schema.</summary>
    public string? Schema { get; }

    /// <summary>
    /// The NOTIFY/LISTEN channel of this catalog's change feed: <c>clutch_changes</c>, or the schema's
    /// name (channels are database-wide; a schema name is unique and fits a channel name's 63 bytes).
    /// </summary>
    internal string Channel { get; }

    internal string ConnectionString { get; }

    internal string WriterId => _writerId;

    public event EventHandler<CatalogChangedEventArgs>? Changed;

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(timeout.Token);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(timeout.Token);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"PostgreSQL at {Description} did not answer within 2 s";
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or IOException)
        {
            return $"PostgreSQL at {Description} cannot be reached: {e.Message.ReplaceLineEndings(" ")}";
        }
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        if (_migrated)
        {
            return;
        }

        await GuardAsync(async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            // Nodes starting together wait here for the first one's migration, then find nothing to do.
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock})", cancellationToken);
            if (Schema is not null)
            {
                // The search path names it already; tables created from here on go into it.
                await ExecuteAsync(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS \"{Schema}\"", cancellationToken);
            }

            await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS clutch_schema (version integer NOT NULL)", cancellationToken);
            await using var read = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM clutch_schema", connection, transaction);
            var current = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            foreach (var (version, sql) in PostgresMigrations.All.Where(m => m.Version > current))
            {
                await ExecuteAsync(connection, transaction, sql, cancellationToken);
                await ExecuteAsync(connection, transaction, $"DELETE FROM clutch_schema; INSERT INTO clutch_schema (version) VALUES ({version})", cancellationToken);
                PostgresLog.Migrated(_logger, Description, version);
            }

            await transaction.CommitAsync(cancellationToken);
            return true;
        });
        _migrated = true;
    }

    /// <summary>
    /// Drops this catalog's schema with every table in it (<c>DROP SCHEMA ... CASCADE</c>); nothing
    /// when it is not there. The catalog is unusable afterwards: stop its change feed first, then
    /// dispose it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The catalog is in the default schema, which is never dropped.</exception>
    public async Task DropSchemaAsync(CancellationToken cancellationToken)
    {
        if (Schema is null)
        {
            throw new InvalidOperationException($"the catalog at {Description} is in the default schema, which is not dropped");
        }

        await GuardAsync(async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock})", cancellationToken);
            await ExecuteAsync(connection, transaction, $"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        });
    }

    /// <summary>The schema version recorded in the database.</summary>
    internal Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken) =>
        ReadAsync(async connection =>
        {
            await using var command = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM clutch_schema", connection);
            return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }, cancellationToken);

    public Task<IReadOnlyList<ProjectSummary>> ListProjectsAsync(CancellationToken cancellationToken) =>
        ReadListAsync<ProjectSummary>(
            """
            SELECT name, display_name, last_changed FROM projects p
            WHERE EXISTS (SELECT 1 FROM files f WHERE f.project = p.name)
               OR EXISTS (SELECT 1 FROM developer_links l WHERE l.project = p.name)
            ORDER BY name COLLATE "C"
            """,
            null,
            static r => new ProjectSummary(ProjectName.Normalize(r.GetString(0)), r.GetString(1), new DateTimeOffset(r.GetInt64(2), TimeSpan.Zero)),
            cancellationToken);

    public Task<IReadOnlyList<CatalogFile>> GetFilesAsync(ProjectName project, CancellationToken cancellationToken) =>
        ReadListAsync($"SELECT {FileColumns} FROM files WHERE project = $1", project.Value, ReadFile, cancellationToken);

    public async Task<CatalogFile?> FindFileAsync(string filename, CancellationToken cancellationToken) =>
        (await ReadListAsync($"SELECT {FileColumns} FROM files WHERE filename = $1", filename, ReadFile, cancellationToken)) is [var found, ..] ? found : null;

    public Task<IReadOnlyList<CatalogFile>> GetAllFilesAsync(CancellationToken cancellationToken) =>
        ReadListAsync($"SELECT {FileColumns} FROM files", null, ReadFile, cancellationToken);

    public async IAsyncEnumerable<CatalogFile> StreamAllFilesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {FileColumns} FROM files ORDER BY project COLLATE \"C\", filename COLLATE \"C\"", connection);
        NpgsqlDataReader reader;
        try
        {
            reader = await command.ExecuteReaderAsync(cancellationToken);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw Unavailable(e);
        }

        await using (reader)
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await reader.ReadAsync(cancellationToken);
                }
                catch (Exception e) when (IsUnavailable(e))
                {
                    throw Unavailable(e);
                }

                if (!more)
                {
                    break;
                }

                yield return ReadFile(reader);
            }
        }
    }

    public Task<IReadOnlyList<string>> GetPathsMissingDigestsAsync(CancellationToken cancellationToken) =>
        ReadListAsync("SELECT path FROM files WHERE md5 = '' OR blake2b_256 = ''", null, static r => r.GetString(0), cancellationToken);

    public Task<FileStateTable> GetFileStatesAsync(CancellationToken cancellationToken) =>
        ReadAsync(async connection =>
        {
            await using var command = new NpgsqlCommand("SELECT path, size, source_mtime_ticks, source_inode, source_ctime_ticks FROM files", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var table = new FileStateTable();
            try
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    table.Add(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), new FileIdentity(reader.GetInt64(3), reader.GetInt64(4)));
                }

                return table;
            }
            catch
            {
                table.Dispose();
                throw;
            }
        }, cancellationToken);

    public Task<IReadOnlyList<DeveloperLink>> GetDeveloperLinksAsync(ProjectName project, CancellationToken cancellationToken) =>
        ReadListAsync(
            "SELECT project, url, source FROM developer_links WHERE project = $1 ORDER BY source COLLATE \"C\", url COLLATE \"C\"",
            project.Value, ReadLink, cancellationToken);

    public Task<IReadOnlyList<DeveloperLink>> GetAllDeveloperLinksAsync(CancellationToken cancellationToken) =>
        ReadListAsync(
            "SELECT project, url, source FROM developer_links ORDER BY project COLLATE \"C\", source COLLATE \"C\", url COLLATE \"C\"",
            null, ReadLink, cancellationToken);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>
    /// A connection of its own, never pooled, for a session that outlives one request (the change
    /// feed's LISTEN, a lease's advisory lock): closing it ends the session and whatever it held.
    /// Named <c>clutch-{purpose}</c> in pg_stat_activity.
    /// </summary>
    internal NpgsqlConnection CreateDedicatedConnection(string purpose) =>
        new(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, ApplicationName = "clutch-" + purpose }.ConnectionString);

    /// <summary>Runs a read on a pooled connection (migrating first if this instance has not yet).</summary>
    private async Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> read, CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        return await GuardAsync(async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            return await read(connection);
        });
    }

    /// <summary>Runs a query with at most one text parameter ($1) and maps every row.</summary>
    private Task<IReadOnlyList<T>> ReadListAsync<T>(string sql, string? parameter, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<T>>(async connection =>
        {
            await using var command = new NpgsqlCommand(sql, connection);
            if (parameter is not null)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = parameter });
            }

            var result = new List<T>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                result.Add(map(reader));
            }

            return result;
        }, cancellationToken);

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw Unavailable(e);
        }
    }

    /// <summary>Turns "the server cannot be reached" into <see cref="StorageUnavailableException"/> (and drops the pool's dead connections).</summary>
    private async Task<T> GuardAsync<T>(Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw Unavailable(e);
        }
    }

    private StorageUnavailableException Unavailable(Exception e)
    {
        _dataSource.Clear();
        PostgresLog.Unavailable(_logger, Description, e.Message);
        return new StorageUnavailableException($"the PostgreSQL catalog at {Description} cannot be reached ({e.Message.ReplaceLineEndings(" ")})", e);
    }

    internal static bool IsUnavailable(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || pg.SqlState == "53300",
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or IOException or TimeoutException,
        SocketException or TimeoutException => true,
        _ => false,
    };

    private static Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        return ExecuteAndDisposeAsync(command, cancellationToken);
    }

    private static async Task ExecuteAndDisposeAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// A schema name the caller chose: lower-case letters, digits and '_', starting with a letter,
    /// at most 63 bytes (PostgreSQL's identifier limit), and not one PostgreSQL keeps for itself.
    /// </summary>
    private static void ValidateSchema(string schema)
    {
        if (!SchemaName().IsMatch(schema))
        {
            throw new ArgumentException(
                $"'{schema}' is not a usable PostgreSQL schema name (lower-case letters, digits and '_', starting with a letter, at most 63).", nameof(schema));
        }

        if (schema.StartsWith("pg_", StringComparison.Ordinal) || schema is "public" or "information_schema")
        {
            throw new ArgumentException($"'{schema}' is a schema PostgreSQL keeps for itself or for the default catalog.", nameof(schema));
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();

    /// <summary>The write lock key of a schema's catalog: stable on every node, and apart from the default one's.</summary>
    private static long WriteLockKey(string schema) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("clutch-write:" + schema)), 0);

    private static CatalogFile ReadFile(NpgsqlDataReader reader) => new()
    {
        Path = reader.GetString(0),
        Filename = reader.GetString(1),
        Project = ProjectName.Normalize(reader.GetString(2)),
        Version = reader.GetString(3),
        Type = Enum.Parse<DistributionType>(reader.GetString(4)),
        PythonTag = reader.IsDBNull(5) ? null : reader.GetString(5),
        RequiresPython = reader.IsDBNull(6) ? null : reader.GetString(6),
        Sha256 = reader.GetString(7),
        Md5 = reader.GetString(8),
        Blake2b256 = reader.GetString(9),
        Size = reader.GetInt64(10),
        UploadTime = new DateTimeOffset(reader.GetInt64(11), TimeSpan.Zero),
        Uploader = reader.IsDBNull(12) ? null : reader.GetString(12),
        Yanked = reader.GetBoolean(13),
        YankedReason = reader.IsDBNull(14) ? null : reader.GetString(14),
        MetadataSha256 = reader.IsDBNull(15) ? null : reader.GetString(15),
        Summary = reader.IsDBNull(16) ? null : reader.GetString(16),
        SourceMtimeTicks = reader.GetInt64(17),
        SourceIdentity = new FileIdentity(reader.GetInt64(18), reader.GetInt64(19)),
    };

    private static DeveloperLink ReadLink(NpgsqlDataReader reader) =>
        new(ProjectName.Normalize(reader.GetString(0)), reader.GetString(1)) { Source = reader.GetString(2) };
}
