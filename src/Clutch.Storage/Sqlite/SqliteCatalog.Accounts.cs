using Clutch.Packaging;
using Clutch.Storage.Accounts;
using Microsoft.Data.Sqlite;

namespace Clutch.Storage.Sqlite;

/// <summary>Users, tokens, project roles and deleted-file tombstones, in the catalog's database.</summary>
public sealed partial class SqliteCatalog : IAccountStore, IDeletedFiles
{
    private const string TokenColumns = "id, user_name, name, hash, project, expires, created, index_name";

    public Task<bool> AddUserAsync(UserAccount user, CancellationToken cancellationToken) =>
        WriteAccountsAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction, """
                INSERT INTO users (name, password_hash, is_admin, created) VALUES ($name, $hash, $admin, $created)
                ON CONFLICT(name) DO NOTHING
                """);
            command.Parameters.AddWithValue("$name", user.Name);
            command.Parameters.AddWithValue("$hash", user.PasswordHash);
            command.Parameters.AddWithValue("$admin", user.IsAdmin ? 1 : 0);
            command.Parameters.AddWithValue("$created", user.Created.UtcTicks);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public async Task<UserAccount?> FindUserAsync(string name, CancellationToken cancellationToken)
    {
        var users = await ReadAccountsAsync("SELECT name, password_hash, is_admin, created FROM users WHERE name = $p", name, ReadUser, cancellationToken);
        return users.Count == 0 ? null : users[0];
    }

    public async Task<IReadOnlyList<UserAccount>> ListUsersAsync(CancellationToken cancellationToken) =>
        await ReadAccountsAsync("SELECT name, password_hash, is_admin, created FROM users ORDER BY name", null, ReadUser, cancellationToken);

    public Task<bool> RemoveUserAsync(string name, CancellationToken cancellationToken) =>
        WriteAccountsAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction, """
                DELETE FROM tokens WHERE user_name = $name;
                DELETE FROM project_roles WHERE user_name = $name;
                DELETE FROM users WHERE name = $name;
                SELECT changes();
                """);
            command.Parameters.AddWithValue("$name", name);
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken)) == 1;
        }, cancellationToken);

    public Task<bool> SetPasswordHashAsync(string name, string passwordHash, CancellationToken cancellationToken) =>
        WriteAccountsAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction, "UPDATE users SET password_hash = $hash WHERE name = $name");
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$hash", passwordHash);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task AddTokenAsync(ApiToken token, CancellationToken cancellationToken) =>
        WriteAccountsAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction,
                $"INSERT INTO tokens ({TokenColumns}) VALUES ($id, $user, $name, $hash, $project, $expires, $created, $index)");
            command.Parameters.AddWithValue("$id", token.Id);
            command.Parameters.AddWithValue("$user", token.UserName);
            command.Parameters.AddWithValue("$name", (object?)token.Name ?? DBNull.Value);
            command.Parameters.AddWithValue("$hash", token.Hash);
            command.Parameters.AddWithValue("$project", (object?)token.Project?.Value ?? DBNull.Value);
            command.Parameters.AddWithValue("$index", (object?)token.Index ?? DBNull.Value);
            command.Parameters.AddWithValue("$expires", (object?)token.Expires?.UtcTicks ?? DBNull.Value);
            command.Parameters.AddWithValue("$created", token.Created.UtcTicks);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public async Task<ApiToken?> FindTokenByHashAsync(string hash, CancellationToken cancellationToken)
    {
        var tokens = await ReadAccountsAsync($"SELECT {TokenColumns} FROM tokens WHERE hash = $p", hash, ReadToken, cancellationToken);
        return tokens.Count == 0 ? null : tokens[0];
    }

    public async Task<IReadOnlyList<ApiToken>> ListTokensAsync(string? userName, CancellationToken cancellationToken) =>
        await ReadAccountsAsync(
            $"SELECT {TokenColumns} FROM tokens WHERE $p IS NULL OR user_name = $p ORDER BY user_name, created", userName, ReadToken, cancellationToken);

    public Task<bool> RevokeTokenAsync(string id, CancellationToken cancellationToken) =>
        WriteAccountsAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction, "DELETE FROM tokens WHERE id = $id");
            command.Parameters.AddWithValue("$id", id);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public async Task<IReadOnlyList<ProjectRole>> GetProjectRolesAsync(ProjectName project, CancellationToken cancellationToken) =>
        await ReadAccountsAsync(
            "SELECT project, user_name, role FROM project_roles WHERE project = $p ORDER BY user_name", project.Value, ReadRole, cancellationToken);

    public async Task<IReadOnlyList<ProjectRole>> ListRolesAsync(string? userName, CancellationToken cancellationToken) =>
        await ReadAccountsAsync(
            "SELECT project, user_name, role FROM project_roles WHERE $p IS NULL OR user_name = $p ORDER BY project, user_name",
            userName, ReadRole, cancellationToken);

    public Task GrantAsync(ProjectName project, string userName, ProjectRoleKind role, CancellationToken cancellationToken) =>
        WriteAccountsAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction, """
                INSERT INTO project_roles (project, user_name, role, created) VALUES ($project, $user, $role, $created)
                ON CONFLICT(project, user_name) DO UPDATE SET role = excluded.role
                """);
            command.Parameters.AddWithValue("$project", project.Value);
            command.Parameters.AddWithValue("$user", userName);
            command.Parameters.AddWithValue("$role", role.ToString());
            command.Parameters.AddWithValue("$created", _time.GetUtcNow().UtcTicks);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task<bool> RevokeAsync(ProjectName project, string userName, CancellationToken cancellationToken) =>
        WriteAccountsAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction, "DELETE FROM project_roles WHERE project = $project AND user_name = $user");
            command.Parameters.AddWithValue("$project", project.Value);
            command.Parameters.AddWithValue("$user", userName);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task<ProjectRoleKind?> ClaimProjectAsync(ProjectName project, string userName, CancellationToken cancellationToken) =>
        WriteAccountsAsync<ProjectRoleKind?>(async (connection, transaction) =>
        {
            // The writer lock and the IMMEDIATE transaction make check-then-insert one step: of two
            // first uploaders of a new project exactly one becomes its owner.
            await using var command = Command(connection, transaction, """
                INSERT INTO project_roles (project, user_name, role, created)
                SELECT $project, $user, 'Owner', $created
                WHERE NOT EXISTS (SELECT 1 FROM project_roles WHERE project = $project);
                SELECT role FROM project_roles WHERE project = $project AND user_name = $user;
                """);
            command.Parameters.AddWithValue("$project", project.Value);
            command.Parameters.AddWithValue("$user", userName);
            command.Parameters.AddWithValue("$created", _time.GetUtcNow().UtcTicks);
            return await command.ExecuteScalarAsync(cancellationToken) is string role ? Enum.Parse<ProjectRoleKind>(role) : null;
        }, cancellationToken);

    Task IDeletedFiles.AddAsync(IReadOnlyCollection<DeletedFile> files, CancellationToken cancellationToken) =>
        WriteAccountsAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction, """
                INSERT OR REPLACE INTO deleted_files (filename, project, deleted_by, deleted_at, reason)
                VALUES ($filename, $project, $by, $at, $reason)
                """);
            foreach (var file in files)
            {
                command.Parameters.Clear();
                command.Parameters.AddWithValue("$filename", file.Filename);
                command.Parameters.AddWithValue("$project", file.Project.Value);
                command.Parameters.AddWithValue("$by", (object?)file.DeletedBy ?? DBNull.Value);
                command.Parameters.AddWithValue("$at", file.DeletedAt.UtcTicks);
                command.Parameters.AddWithValue("$reason", (object?)file.Reason ?? DBNull.Value);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            return files.Count > 0;
        }, cancellationToken);

    async Task<DeletedFile?> IDeletedFiles.FindAsync(string filename, CancellationToken cancellationToken)
    {
        var found = await ReadAccountsAsync(
            "SELECT filename, project, deleted_by, deleted_at, reason FROM deleted_files WHERE filename = $p", filename, ReadDeletedFile, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    async Task<IReadOnlyList<DeletedFile>> IDeletedFiles.ListAsync(CancellationToken cancellationToken) =>
        await ReadAccountsAsync(
            "SELECT filename, project, deleted_by, deleted_at, reason FROM deleted_files WHERE $p IS NULL ORDER BY filename", null, ReadDeletedFile, cancellationToken);

    private static DeletedFile ReadDeletedFile(SqliteDataReader r) => new(
        r.GetString(0), ProjectName.Normalize(r.GetString(1)), r.IsDBNull(2) ? null : r.GetString(2),
        new DateTimeOffset(r.GetInt64(3), TimeSpan.Zero), r.IsDBNull(4) ? null : r.GetString(4));

    Task<bool> IDeletedFiles.ReleaseAsync(string filename, CancellationToken cancellationToken) =>
        WriteAccountsAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction, "DELETE FROM deleted_files WHERE filename = $filename");
            command.Parameters.AddWithValue("$filename", filename);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    private static UserAccount ReadUser(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetInt64(2) != 0, new DateTimeOffset(r.GetInt64(3), TimeSpan.Zero));

    private static ApiToken ReadToken(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3),
        r.IsDBNull(4) ? null : ProjectName.Normalize(r.GetString(4)),
        r.IsDBNull(5) ? null : new DateTimeOffset(r.GetInt64(5), TimeSpan.Zero),
        new DateTimeOffset(r.GetInt64(6), TimeSpan.Zero))
    {
        Index = r.IsDBNull(7) ? null : r.GetString(7),
    };

    private static ProjectRole ReadRole(SqliteDataReader r) =>
        new(ProjectName.Normalize(r.GetString(0)), r.GetString(1), Enum.Parse<ProjectRoleKind>(r.GetString(2)));

    public async Task<IReadOnlyList<string>> ListWebKeysAsync(CancellationToken cancellationToken) =>
        await ReadAccountsAsync("SELECT xml FROM web_keys ORDER BY created, name", null, static r => r.GetString(0), cancellationToken);

    // Not an account change: nothing remembered about credentials depends on it, so it is written
    // without the change log entry and event of WriteAccountsAsync.
    public async Task AddWebKeyAsync(string name, string xml, CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = Command(connection, null, "INSERT INTO web_keys (name, xml, created) VALUES ($name, $xml, $created) ON CONFLICT(name) DO NOTHING");
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$xml", xml);
            command.Parameters.AddWithValue("$created", DateTimeOffset.UtcNow.UtcTicks);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private async Task<List<T>> ReadAccountsAsync<T>(string sql, string? parameter, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, sql);
        command.Parameters.AddWithValue("$p", (object?)parameter ?? DBNull.Value);
        var result = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(read(reader));
        }

        return result;
    }

    public event EventHandler? AccountsChanged;

    /// <summary>
    /// One write transaction under the writer lock. It raises no catalog event, but is noted in the
    /// change log (as an account change) and raises <see cref="AccountsChanged"/> once committed.
    /// </summary>
    private async Task<T> WriteAccountsAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        await _writeLock.WaitAsync(cancellationToken);
        T result;
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = connection.BeginTransaction(deferred: false);
            result = await work(connection, transaction);
            await RecordAccountsChangeAsync(connection, transaction, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }

        RaiseAccountsChanged();
        return result;
    }

    private void RaiseAccountsChanged() => AccountsChanged?.Invoke(this, EventArgs.Empty);
}
