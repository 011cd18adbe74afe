using Clutch.Packaging;
using Clutch.Storage.Accounts;
using Npgsql;

namespace Clutch.Storage.Postgres;

/// <summary>Users, tokens, project roles and deleted-file tombstones, in the catalog's database.</summary>
public sealed partial class PostgresCatalog : IAccountStore, IDeletedFiles
{
    private const string TokenColumns = "id, user_name, name, hash, project, expires, created, index_name";

    public event EventHandler? AccountsChanged;

    public Task<bool> AddUserAsync(UserAccount user, CancellationToken cancellationToken) =>
        WriteAccountsAsync(
            "INSERT INTO users (name, password_hash, is_admin, created) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING",
            [user.Name, user.PasswordHash, user.IsAdmin, user.Created.UtcTicks], cancellationToken);

    public async Task<UserAccount?> FindUserAsync(string name, CancellationToken cancellationToken) =>
        (await ReadListAsync("SELECT name, password_hash, is_admin, created FROM users WHERE name = $1", name, ReadUser, cancellationToken)) is [var user, ..] ? user : null;

    public Task<IReadOnlyList<UserAccount>> ListUsersAsync(CancellationToken cancellationToken) =>
        ReadListAsync("SELECT name, password_hash, is_admin, created FROM users ORDER BY name COLLATE \"C\"", null, ReadUser, cancellationToken);

    public Task<bool> RemoveUserAsync(string name, CancellationToken cancellationToken) =>
        WriteAccountsAsync(async (connection, transaction) =>
        {
            var removed = 0;
            foreach (var sql in (string[])["DELETE FROM tokens WHERE user_name = $1", "DELETE FROM project_roles WHERE user_name = $1", "DELETE FROM users WHERE name = $1"])
            {
                await using var command = new NpgsqlCommand(sql, connection, transaction);
                command.Parameters.Add(new NpgsqlParameter { Value = name });
                removed = await command.ExecuteNonQueryAsync(cancellationToken);
            }

            return removed == 1;
        }, cancellationToken);

    public Task<bool> SetPasswordHashAsync(string name, string passwordHash, CancellationToken cancellationToken) =>
        WriteAccountsAsync("UPDATE users SET password_hash = $2 WHERE name = $1", [name, passwordHash], cancellationToken);

    public Task AddTokenAsync(ApiToken token, CancellationToken cancellationToken) =>
        WriteAccountsAsync(
            $"INSERT INTO tokens ({TokenColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            [token.Id, token.UserName, token.Name, token.Hash, token.Project?.Value, token.Expires?.UtcTicks, token.Created.UtcTicks, token.Index], cancellationToken);

    public async Task<ApiToken?> FindTokenByHashAsync(string hash, CancellationToken cancellationToken) =>
        (await ReadListAsync($"SELECT {TokenColumns} FROM tokens WHERE hash = $1", hash, ReadToken, cancellationToken)) is [var token, ..] ? token : null;

    public Task<IReadOnlyList<ApiToken>> ListTokensAsync(string? userName, CancellationToken cancellationToken) =>
        userName is null
            ? ReadListAsync($"SELECT {TokenColumns} FROM tokens ORDER BY user_name COLLATE \"C\", created", null, ReadToken, cancellationToken)
            : ReadListAsync($"SELECT {TokenColumns} FROM tokens WHERE user_name = $1 ORDER BY user_name COLLATE \"C\", created", userName, ReadToken, cancellationToken);

    public Task<bool> RevokeTokenAsync(string id, CancellationToken cancellationToken) =>
        WriteAccountsAsync("DELETE FROM tokens WHERE id = $1", [id], cancellationToken);

    public Task<IReadOnlyList<ProjectRole>> GetProjectRolesAsync(ProjectName project, CancellationToken cancellationToken) =>
        ReadListAsync("SELECT project, user_name, role FROM project_roles WHERE project = $1 ORDER BY user_name COLLATE \"C\"", project.Value, ReadRole, cancellationToken);

    public Task<IReadOnlyList<ProjectRole>> ListRolesAsync(string? userName, CancellationToken cancellationToken) =>
        userName is null
            ? ReadListAsync("SELECT project, user_name, role FROM project_roles ORDER BY project COLLATE \"C\", user_name COLLATE \"C\"", null, ReadRole, cancellationToken)
            : ReadListAsync("SELECT project, user_name, role FROM project_roles WHERE user_name = $1 ORDER BY project COLLATE \"C\", user_name COLLATE \"C\"", userName, ReadRole, cancellationToken);

    public Task GrantAsync(ProjectName project, string userName, ProjectRoleKind role, CancellationToken cancellationToken) =>
        WriteAccountsAsync(
            "INSERT INTO project_roles (project, user_name, role, created) VALUES ($1, $2, $3, $4) ON CONFLICT (project, user_name) DO UPDATE SET role = excluded.role",
            [project.Value, userName, role.ToString(), _time.GetUtcNow().UtcTicks], cancellationToken);

    public Task<bool> RevokeAsync(ProjectName project, string userName, CancellationToken cancellationToken) =>
        WriteAccountsAsync("DELETE FROM project_roles WHERE project = $1 AND user_name = $2", [project.Value, userName], cancellationToken);

    public Task<ProjectRoleKind?> ClaimProjectAsync(ProjectName project, string userName, CancellationToken cancellationToken) =>
        WriteAccountsAsync<ProjectRoleKind?>(async (connection, transaction) =>
        {
            // Under the write lock: of two first uploaders of a new project (on any nodes) exactly one becomes its owner.
            await using (var claim = new NpgsqlCommand(
                "INSERT INTO project_roles (project, user_name, role, created) SELECT $1, $2, 'Owner', $3 WHERE NOT EXISTS (SELECT 1 FROM project_roles WHERE project = $1)",
                connection, transaction))
            {
                claim.Parameters.Add(new NpgsqlParameter { Value = project.Value });
                claim.Parameters.Add(new NpgsqlParameter { Value = userName });
                claim.Parameters.Add(new NpgsqlParameter { Value = _time.GetUtcNow().UtcTicks });
                await claim.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var read = new NpgsqlCommand("SELECT role FROM project_roles WHERE project = $1 AND user_name = $2", connection, transaction);
            read.Parameters.Add(new NpgsqlParameter { Value = project.Value });
            read.Parameters.Add(new NpgsqlParameter { Value = userName });
            return await read.ExecuteScalarAsync(cancellationToken) is string role ? Enum.Parse<ProjectRoleKind>(role) : null;
        }, cancellationToken);

    Task IDeletedFiles.AddAsync(IReadOnlyCollection<DeletedFile> files, CancellationToken cancellationToken) =>
        WriteAccountsAsync(async (connection, transaction) =>
        {
            foreach (var file in files)
            {
                await using var command = new NpgsqlCommand(
                    """
                    INSERT INTO deleted_files (filename, project, deleted_by, deleted_at, reason) VALUES ($1, $2, $3, $4, $5)
                    ON CONFLICT (filename) DO UPDATE SET project = excluded.project, deleted_by = excluded.deleted_by,
                        deleted_at = excluded.deleted_at, reason = excluded.reason
                    """, connection, transaction);
                Bind(command, [file.Filename, file.Project.Value, file.DeletedBy, file.DeletedAt.UtcTicks, file.Reason]);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            return files.Count > 0;
        }, cancellationToken);

    async Task<DeletedFile?> IDeletedFiles.FindAsync(string filename, CancellationToken cancellationToken) =>
        (await ReadListAsync("SELECT filename, project, deleted_by, deleted_at, reason FROM deleted_files WHERE filename = $1", filename, ReadDeletedFile, cancellationToken))
            is [var found, ..] ? found : null;

    Task<IReadOnlyList<DeletedFile>> IDeletedFiles.ListAsync(CancellationToken cancellationToken) =>
        ReadListAsync("SELECT filename, project, deleted_by, deleted_at, reason FROM deleted_files ORDER BY filename COLLATE \"C\"", null, ReadDeletedFile, cancellationToken);

    Task<bool> IDeletedFiles.ReleaseAsync(string filename, CancellationToken cancellationToken) =>
        WriteAccountsAsync("DELETE FROM deleted_files WHERE filename = $1", [filename], cancellationToken);

    public Task<IReadOnlyList<string>> ListWebKeysAsync(CancellationToken cancellationToken) =>
        ReadListAsync("SELECT xml FROM web_keys ORDER BY created, name COLLATE \"C\"", null, static r => r.GetString(0), cancellationToken);

    // Not an account change: nothing remembered about credentials depends on it, so it is written
    // without the change log entry and event of WriteAccountsAsync.
    public async Task AddWebKeyAsync(string name, string xml, CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        await GuardAsync(async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand("INSERT INTO web_keys (name, xml, created) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING", connection);
            Bind(command, [name, xml, DateTimeOffset.UtcNow.UtcTicks]);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        });
    }

    internal void RaiseAccountsChanged() => AccountsChanged?.Invoke(this, EventArgs.Empty);

    /// <summary>One statement in an account write; true when it changed a row.</summary>
    private Task<bool> WriteAccountsAsync(string sql, object?[] values, CancellationToken cancellationToken) =>
        WriteAccountsAsync(async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            Bind(command, values);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    /// <summary>
    /// One account write transaction under the write lock, noted in the change log as an account
    /// change (so every node forgets remembered credentials); raises <see cref="AccountsChanged"/>.
    /// </summary>
    private async Task<T> WriteAccountsAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        var result = await GuardAsync(async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({_writeLock})", cancellationToken);
            var value = await work(connection, transaction);
            await RecordChangeAsync(connection, transaction, "", false, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return value;
        });
        RaiseAccountsChanged();
        return result;
    }

    private static void Bind(NpgsqlCommand command, object?[] values)
    {
        foreach (var value in values)
        {
            command.Parameters.Add(value switch
            {
                null => new NpgsqlParameter { Value = DBNull.Value }, // untyped: the server infers the column's type
                _ => new NpgsqlParameter { Value = value },
            });
        }
    }

    private static UserAccount ReadUser(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetBoolean(2), new DateTimeOffset(r.GetInt64(3), TimeSpan.Zero));

    private static ApiToken ReadToken(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3),
        r.IsDBNull(4) ? null : ProjectName.Normalize(r.GetString(4)),
        r.IsDBNull(5) ? null : new DateTimeOffset(r.GetInt64(5), TimeSpan.Zero),
        new DateTimeOffset(r.GetInt64(6), TimeSpan.Zero))
    {
        Index = r.IsDBNull(7) ? null : r.GetString(7),
    };

    private static ProjectRole ReadRole(NpgsqlDataReader r) =>
        new(ProjectName.Normalize(r.GetString(0)), r.GetString(1), Enum.Parse<ProjectRoleKind>(r.GetString(2)));

    private static DeletedFile ReadDeletedFile(NpgsqlDataReader r) => new(
        r.GetString(0), ProjectName.Normalize(r.GetString(1)), r.IsDBNull(2) ? null : r.GetString(2),
        new DateTimeOffset(r.GetInt64(3), TimeSpan.Zero), r.IsDBNull(4) ? null : r.GetString(4));
}
