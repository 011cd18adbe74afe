using Clutch.Packaging;
using Clutch.Storage.Accounts;

namespace Clutch.Auth;

/// <summary>
/// Who may do what to a project. Admins may do anything; owners upload and manage; maintainers
/// upload; the first uploader of a project nobody holds becomes its owner. A project-scoped token
/// never reaches beyond its project.
/// </summary>
public sealed class ProjectPermissions(IAccountStore accounts)
{
    /// <summary>Whether <paramref name="caller"/> may upload to <paramref name="project"/> now (without claiming it).</summary>
    public async Task<bool> CanUploadAsync(Caller caller, ProjectName project, CancellationToken cancellationToken)
    {
        if (!caller.ScopeAllows(project))
        {
            return false;
        }

        if (caller.IsAdmin)
        {
            return true;
        }

        var roles = await accounts.GetProjectRolesAsync(project, cancellationToken);
        return roles.Count == 0 || roles.Any(r => r.UserName == caller.UserName);
    }

    /// <summary>
    /// Just before an upload is committed: makes the caller owner of a project nobody holds, in one
    /// step. False when the project now belongs to others (someone claimed it first).
    /// </summary>
    public async Task<bool> ClaimForUploadAsync(Caller caller, ProjectName project, CancellationToken cancellationToken)
    {
        if (!caller.ScopeAllows(project))
        {
            return false;
        }

        var role = await accounts.ClaimProjectAsync(project, caller.UserName, cancellationToken);
        return role is not null || caller.IsAdmin;
    }

    /// <summary>Whether <paramref name="caller"/> may yank, delete or grant in <paramref name="project"/>.</summary>
    public async Task<bool> CanManageAsync(Caller caller, ProjectName project, CancellationToken cancellationToken)
    {
        if (!caller.ScopeAllows(project))
        {
            return false;
        }

        if (caller.IsAdmin)
        {
            return true;
        }

        var roles = await accounts.GetProjectRolesAsync(project, cancellationToken);
        return roles.Any(r => r.UserName == caller.UserName && r.Role == ProjectRoleKind.Owner);
    }
}
