using Clutch.Packaging;

namespace Clutch.Auth;

/// <summary>
/// Who made a request: a user (by password) or a user's token. <see cref="TokenProject"/> limits a
/// scoped token to one project, whatever its user may otherwise do.
/// </summary>
public sealed record Caller(string UserName, bool IsAdmin, string? TokenId = null, ProjectName? TokenProject = null)
{
    /// <summary>The key under which a request's caller is kept in <c>HttpContext.Items</c>.</summary>
    internal static readonly object ItemKey = new();

    /// <summary>False when a project-scoped token is used for another project.</summary>
    public bool ScopeAllows(ProjectName project) => TokenProject is not { } scope || scope == project;
}
