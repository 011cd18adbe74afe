using Clutch.Packaging;

namespace Clutch.Auth;

/// <summary>
/// Who made a request: a user (by password) or a user's token. <see cref="TokenProject"/> limits a
/// scoped token to one project, whatever its user may otherwise do.
/// </summary>
public sealed record Caller(string UserName, bool IsAdmin, string? TokenId = null, ProjectName? TokenProject = null, string? TokenIndex = null)
{
    /// <summary>The key under which a request's caller is kept in <c>HttpContext.Items</c>.</summary>
    internal static readonly object ItemKey = new();

    /// <summary>False when a project-scoped token is used for another project.</summary>
    public bool ScopeAllows(ProjectName project) => TokenProject is not { } scope || scope == project;

    /// <summary>False when a token limited to one index is used on another ("" is the default index).</summary>
    public bool IndexAllows(string index) => TokenIndex is null || TokenIndex == index;

    /// <summary>The one-line refusal of a token limited to another index.</summary>
    public string IndexRefusal(string index) =>
        $"This token is limited to index '{(TokenIndex is { Length: > 0 } t ? t : "default")}', not '{(index.Length == 0 ? "default" : index)}'.";
}
