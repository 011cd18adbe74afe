using Clutch.Auth;
using Clutch.Http;
using Clutch.Manage;
using Clutch.Packaging;
using Clutch.Storage;
using Clutch.Web.Slices;

namespace Clutch.Web.Account;

/// <summary>
/// An owner's yank, unyank and delete of one version from the browser: a GET shows what will change
/// and asks to confirm; the confirming POST (with its antiforgery token) does it through the same
/// <see cref="ReleaseManager"/> and <see cref="ProjectPermissions"/> as the management API.
/// </summary>
public static class ReleaseActionEndpoints
{
    public static IEndpointRouteBuilder MapReleaseActions(this IEndpointRouteBuilder routes)
    {
        var release = routes.MapGroup("/project/{project}/{version}").RequireAuthorization(ClutchSchemes.SignedInPolicy);
        foreach (var action in (ManageAction[])[ManageAction.Yank, ManageAction.Unyank, ManageAction.Delete])
        {
            var path = "/" + action.ToString().ToLowerInvariant();
            release.MapGet(path, (HttpContext c, string project, string version, ReleaseManager m, ProjectPermissions p) => ConfirmAsync(c, project, version, action, m, p));
            release.MapPost(path, (HttpContext c, string project, string version, ReleaseManager m, ProjectPermissions p) => ApplyAsync(c, project, version, action, m, p))
                .AddEndpointFilter(FormTokens.RequireAsync);
        }

        return routes;
    }

    private static async Task<IResult> ConfirmAsync(
        HttpContext context, string project, string version, ManageAction action, ReleaseManager manager, ProjectPermissions permissions)
    {
        var (selection, refusal) = await SelectAsync(context, project, version, action, manager, permissions);
        if (refusal is not null)
        {
            return refusal;
        }

        AccountPages.NoStore(context);
        return AccountPages.WithStatus(AccountConfirm.Create(Model(context, selection!, version, action, null)), StatusCodes.Status200OK);
    }

    private static async Task<IResult> ApplyAsync(
        HttpContext context, string project, string version, ManageAction action, ReleaseManager manager, ProjectPermissions permissions)
    {
        var (selection, refusal) = await SelectAsync(context, project, version, action, manager, permissions);
        if (refusal is not null)
        {
            return refusal;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var reason = ReleaseManager.NormalizeReason(form["reason"].ToString(), out var reasonError);
        if (reasonError is not null)
        {
            AccountPages.NoStore(context);
            return AccountPages.WithStatus(AccountConfirm.Create(Model(context, selection!, version, action, reasonError)), StatusCodes.Status400BadRequest);
        }

        try
        {
            await manager.ApplyAsync(selection!, action, reason, CallerPrincipal.From(context.User)!.UserName, context.RequestAborted);
        }
        catch (Exception ex) when (StorageFull.Is(ex))
        {
            return AccountPages.Message(context, StatusCodes.Status507InsufficientStorage, "Storage full", StorageFull.Message);
        }
        catch (StorageUnavailableException ex)
        {
            context.Response.Headers.RetryAfter = StorageFailures.RetryAfterSeconds;
            return AccountPages.Message(context, StatusCodes.Status503ServiceUnavailable, "Try again shortly", "Storage unavailable, nothing changed: " + ex.Message);
        }

        return AccountEndpoints.SeeOther(action == ManageAction.Delete
            ? $"/project/{selection!.Project}/"
            : $"/project/{selection!.Project}/{Uri.EscapeDataString(version)}/");
    }

    /// <summary>The version's files, or the page that says why the signed-in user gets none (404, 403).</summary>
    private static async Task<(ReleaseSelection? Selection, IResult? Refusal)> SelectAsync(
        HttpContext context, string project, string version, ManageAction action, ReleaseManager manager, ProjectPermissions permissions)
    {
        if (ProjectUrl.Classify(project) == ProjectUrlKind.NotAName)
        {
            return (null, WebEndpoints.NotFound(ProjectUrl.NotAName(project)));
        }

        var name = ProjectName.Normalize(project);
        var caller = CallerPrincipal.From(context.User)!;
        var selection = await manager.FindAsync(name, ReleaseTarget.Release(version), context.RequestAborted);
        if (!selection.ProjectKnown || selection.Selected.Count == 0)
        {
            return (null, WebEndpoints.NotFound($"Project '{name}' has no version '{ProjectUrl.Show(version)}'."));
        }

        if (!await permissions.CanManageAsync(caller, name, context.RequestAborted))
        {
            return (null, AccountPages.Message(context, StatusCodes.Status403Forbidden, "Not yours to change",
                $"User '{caller.UserName}' may not {action.ToString().ToLowerInvariant()} releases of '{name}': only its owners and admins may."));
        }

        return (selection, null);
    }

    private static ReleaseActionModel Model(HttpContext context, ReleaseSelection selection, string version, ManageAction action, string? error) => new(
        FormTokens.Issue(context),
        selection.Project.Value,
        selection.Selected[0].ProjectDisplayName ?? selection.Project.Value,
        version,
        action,
        selection.Selected.Select(f => f.Filename).Order(StringComparer.Ordinal).ToList(),
        error);
}
