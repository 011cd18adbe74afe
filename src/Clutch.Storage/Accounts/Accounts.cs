using Clutch.Packaging;

namespace Clutch.Storage.Accounts;

/// <summary>A user of the index. <see cref="PasswordHash"/> is a self-describing hash string, never a password.</summary>
public sealed record UserAccount(string Name, string PasswordHash, bool IsAdmin, DateTimeOffset Created);

/// <summary>
/// An API token as stored: only the SHA-256 of the secret is kept. <see cref="Id"/> is public (for
/// list and revoke); <see cref="Project"/> limits the token to one project when set.
/// </summary>
public sealed record ApiToken(
    string Id, string UserName, string? Name, string Hash, ProjectName? Project, DateTimeOffset? Expires, DateTimeOffset Created)
{
    /// <summary>The one index the token works on (its name; "" for the default index), or null for every index.</summary>
    public string? Index { get; init; }

    public bool IsExpired(DateTimeOffset now) => Expires is { } e && e <= now;
}

/// <summary>What a user may do to a project.</summary>
public enum ProjectRoleKind
{
    /// <summary>Uploads, and manages (yank, delete, grant).</summary>
    Owner,

    /// <summary>Uploads.</summary>
    Maintainer,
}

/// <summary>One user's role in one project.</summary>
public sealed record ProjectRole(ProjectName Project, string UserName, ProjectRoleKind Role);
