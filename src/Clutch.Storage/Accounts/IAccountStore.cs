using Clutch.Packaging;

namespace Clutch.Storage.Accounts;

/// <summary>
/// Users, API tokens and project roles. Kept apart from <see cref="ICatalog"/> so a provider can
/// store them elsewhere; the SQLite catalog implements both in one database.
/// </summary>
public interface IAccountStore
{
    /// <summary>
    /// Raised after users, passwords, tokens or roles changed, here or (when several nodes or
    /// processes share the store) elsewhere: whoever remembers a verified credential forgets it.
    /// </summary>
    event EventHandler? AccountsChanged;

    /// <summary>Adds a user; false when the name is taken.</summary>
    Task<bool> AddUserAsync(UserAccount user, CancellationToken cancellationToken);

    Task<UserAccount?> FindUserAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<UserAccount>> ListUsersAsync(CancellationToken cancellationToken);

    /// <summary>Removes a user with their tokens and roles; false when unknown.</summary>
    Task<bool> RemoveUserAsync(string name, CancellationToken cancellationToken);

    /// <summary>Replaces a user's password hash; false when unknown.</summary>
    Task<bool> SetPasswordHashAsync(string name, string passwordHash, CancellationToken cancellationToken);

    Task AddTokenAsync(ApiToken token, CancellationToken cancellationToken);

    /// <summary>The token whose secret hashes to <paramref name="hash"/>, or null.</summary>
    Task<ApiToken?> FindTokenByHashAsync(string hash, CancellationToken cancellationToken);

    /// <summary>Tokens of one user, or of everyone when <paramref name="userName"/> is null.</summary>
    Task<IReadOnlyList<ApiToken>> ListTokensAsync(string? userName, CancellationToken cancellationToken);

    /// <summary>Deletes a token by id; false when unknown.</summary>
    Task<bool> RevokeTokenAsync(string id, CancellationToken cancellationToken);

    /// <summary>Roles in one project.</summary>
    Task<IReadOnlyList<ProjectRole>> GetProjectRolesAsync(ProjectName project, CancellationToken cancellationToken);

    /// <summary>Every role, optionally of one user.</summary>
    Task<IReadOnlyList<ProjectRole>> ListRolesAsync(string? userName, CancellationToken cancellationToken);

    /// <summary>Gives a user a role in a project (replacing their previous role there).</summary>
    Task GrantAsync(ProjectName project, string userName, ProjectRoleKind role, CancellationToken cancellationToken);

    /// <summary>Removes a user's role in a project; false when they had none.</summary>
    Task<bool> RevokeAsync(ProjectName project, string userName, CancellationToken cancellationToken);

    /// <summary>
    /// In one step: when nobody has a role in <paramref name="project"/>, makes <paramref name="userName"/>
    /// its owner. Returns the user's role afterwards (null when the project belongs to others).
    /// </summary>
    Task<ProjectRoleKind?> ClaimProjectAsync(ProjectName project, string userName, CancellationToken cancellationToken);

    /// <summary>
    /// The key ring that protects browser sessions and antiforgery tokens (ASP.NET Core data
    /// protection keys, one XML element each), kept here so every node sharing the store accepts
    /// the cookies any of them issued.
    /// </summary>
    Task<IReadOnlyList<string>> ListWebKeysAsync(CancellationToken cancellationToken);

    /// <summary>Adds one key ring element under its unique <paramref name="name"/> (an existing name is left as it is).</summary>
    Task AddWebKeyAsync(string name, string xml, CancellationToken cancellationToken);
}
