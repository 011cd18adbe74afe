using System.Runtime.CompilerServices;
using Clutch.Packaging;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Clutch.Storage.Sqlite;

/// <summary>
/// The embedded catalog: one SQLite file in WAL mode. Reads use pooled connections and run
/// concurrently; writes go through one writer at a time, each a single IMMEDIATE transaction, and
/// raise <see cref="Changed"/> after commit.
/// </summary>
public sealed partial class SqliteCatalog : ICatalog, IDisposable, IAsyncDisposable, IFolderIndexCatalog
{
    private const string FileColumns =
        "path, filename, project, version, type, python_tag, requires_python, sha256, md5, blake2b_256, size, " +
        "upload_time, uploader, yanked, yanked_reason, metadata_sha256, summary, source_mtime_ticks, " +
        "source_inode, source_ctime_ticks";

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ILogger<SqliteCatalog> _logger;
    private readonly TimeProvider _time;
    private volatile bool _migrated;

    public SqliteCatalog(string databasePath, ILogger<SqliteCatalog>? logger = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _logger = logger ?? NullLogger<SqliteCatalog>.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The database file.</summary>
    public string DatabasePath { get; }

    public event EventHandler<CatalogChangedEventArgs>? Changed;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        if (_migrated)
        {
            return;
        }

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (_migrated)
            {
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
            await using var connection = await OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);

            // The version is read inside the IMMEDIATE transaction, so two processes starting at once
            // cannot both apply the same migration.
            await using var transaction = connection.BeginTransaction(deferred: false);
            var current = Convert.ToInt32(await ScalarAsync(connection, transaction, "PRAGMA user_version;", cancellationToken));
            foreach (var (version, sql) in SqliteMigrations.All.Where(m => m.Version > current))
            {
                await ExecuteAsync(connection, transaction, sql, cancellationToken);
                // user_version lives in the database header and commits with the transaction.
                await ExecuteAsync(connection, transaction, $"PRAGMA user_version = {version};", cancellationToken);
                SqliteLog.Migrated(_logger, DatabasePath, version);
            }

            await transaction.CommitAsync(cancellationToken);
            _migrated = true;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The schema version recorded in the database.</summary>
    internal async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenForReadAsync(cancellationToken);
        return Convert.ToInt32(await ScalarAsync(connection, null, "PRAGMA user_version;", cancellationToken));
    }

    public async Task<IReadOnlyList<ProjectSummary>> ListProjectsAsync(CancellationToken cancellationToken)
    {
        return await ReadListAsync(
            """
            SELECT name, display_name, last_changed FROM projects p
            WHERE EXISTS (SELECT 1 FROM files f WHERE f.project = p.name)
               OR EXISTS (SELECT 1 FROM developer_links l WHERE l.project = p.name)
            ORDER BY name
            """,
            static r => new ProjectSummary(ProjectName.Normalize(r.GetString(0)), r.GetString(1), new DateTimeOffset(r.GetInt64(2), TimeSpan.Zero)),
            cancellationToken);
    }

    public async Task<IReadOnlyList<CatalogFile>> GetFilesAsync(ProjectName project, CancellationToken cancellationToken)
    {
        await using var connection = await OpenForReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {FileColumns} FROM files WHERE project = $project";
        command.Parameters.AddWithValue("$project", project.Value);
        return await ReadFilesAsync(command, cancellationToken);
    }

    public async Task<CatalogFile?> FindFileAsync(string filename, CancellationToken cancellationToken)
    {
        await using var connection = await OpenForReadAsync(cancellationToken);
        return await FindFileAsync(connection, null, "filename", filename, cancellationToken);
    }

    /// <summary>A file by its blob path, or null.</summary>
    public async Task<CatalogFile?> FindFileByPathAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = await OpenForReadAsync(cancellationToken);
        return await FindFileAsync(connection, null, "path", path, cancellationToken);
    }

    public async Task<IReadOnlyList<CatalogFile>> GetAllFilesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenForReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {FileColumns} FROM files";
        return await ReadFilesAsync(command, cancellationToken);
    }

    public async IAsyncEnumerable<CatalogFile> StreamAllFilesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenForReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {FileColumns} FROM files ORDER BY project, filename";
        await foreach (var file in StreamFilesAsync(command, cancellationToken))
        {
            yield return file;
        }
    }

    public async Task<IReadOnlyList<string>> GetPathsMissingDigestsAsync(CancellationToken cancellationToken) =>
        await ReadListAsync("SELECT path FROM files WHERE md5 = '' OR blake2b_256 = ''", static r => r.GetString(0), cancellationToken);

    public async Task<FileStateTable> GetFileStatesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenForReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT path, size, source_mtime_ticks, source_inode, source_ctime_ticks FROM files";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var table = new FileStateTable();
        try
        {
            // Each path string dies right here, young: only the table's few arrays outlive the read.
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
    }

    public async Task<IReadOnlyList<DeveloperLink>> GetDeveloperLinksAsync(ProjectName project, CancellationToken cancellationToken)
    {
        await using var connection = await OpenForReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT project, url, source FROM developer_links WHERE project = $project ORDER BY source, url";
        command.Parameters.AddWithValue("$project", project.Value);
        return await ReadLinksAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<DeveloperLink>> GetAllDeveloperLinksAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenForReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT project, url, source FROM developer_links ORDER BY project, source, url";
        return await ReadLinksAsync(command, cancellationToken);
    }

    public void Dispose()
    {
        // Pooled handles keep the file open; release them so the database can be moved or deleted.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        _writeLock.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs a parameterless query on a read connection and maps every row.</summary>
    private async Task<List<T>> ReadListAsync<T>(string sql, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var connection = await OpenForReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var result = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(read(reader));
        }

        return result;
    }

    /// <summary>Opens a pooled connection, migrating first if this instance has not yet (a no-op check after that).</summary>
    private async Task<SqliteConnection> OpenForReadAsync(CancellationToken cancellationToken)
    {
        if (!_migrated)
        {
            await MigrateAsync(cancellationToken);
        }

        return await OpenAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null, "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;", cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task<CatalogFile?> FindFileAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string column, string value, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {FileColumns} FROM files WHERE {column} = $value";
        command.Parameters.AddWithValue("$value", value);
        var files = await ReadFilesAsync(command, cancellationToken);
        return files.Count == 0 ? null : files[0];
    }

    private static async Task<List<CatalogFile>> ReadFilesAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var result = new List<CatalogFile>();
        await foreach (var file in StreamFilesAsync(command, cancellationToken))
        {
            result.Add(file);
        }

        return result;
    }

    private static async IAsyncEnumerable<CatalogFile> StreamFilesAsync(SqliteCommand command, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, ProjectName>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var project = reader.GetString(2);
            if (!names.TryGetValue(project, out var name))
            {
                name = ProjectName.Normalize(project);
                names[project] = name;
            }

            yield return new CatalogFile
            {
                Path = reader.GetString(0),
                Filename = reader.GetString(1),
                Project = name,
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
                Yanked = reader.GetInt64(13) != 0,
                YankedReason = reader.IsDBNull(14) ? null : reader.GetString(14),
                MetadataSha256 = reader.IsDBNull(15) ? null : reader.GetString(15),
                Summary = reader.IsDBNull(16) ? null : reader.GetString(16),
                SourceMtimeTicks = reader.GetInt64(17),
                SourceIdentity = new FileIdentity(reader.GetInt64(18), reader.GetInt64(19)),
            };
        }
    }

    private static async Task<List<DeveloperLink>> ReadLinksAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var result = new List<DeveloperLink>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new DeveloperLink(ProjectName.Normalize(reader.GetString(0)), reader.GetString(1)) { Source = reader.GetString(2) });
        }

        return result;
    }
}
