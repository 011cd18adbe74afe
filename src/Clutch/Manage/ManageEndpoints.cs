using System.Globalization;
using System.Text.Json;
using Clutch.Auth;
using Clutch.Hosting;
using Clutch.Http;
using Clutch.Packaging;
using Clutch.Pages;
using Clutch.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Clutch.Manage;

/// <summary>
/// The release management API under <c>/api/projects/{project}</c>: yank, unyank and delete a file
/// or a whole version. Basic auth as for uploads; the caller must be allowed to manage the project.
/// Errors are RFC 9457 problem details.
/// </summary>
public static class ManageEndpoints
{
    public static IServiceCollection AddManage(this IServiceCollection services, ClutchOptions options)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ReleaseManager>();
        services.AddSingleton<ManageHandler>();
        if (options.KeepDev is not null)
        {
            services.AddHostedService<RetentionService>();
        }

        return services;
    }

    public static IEndpointRouteBuilder MapManage(this IEndpointRouteBuilder routes)
    {
        var project = routes.MapGroup("/api/projects/{project}");
        project.MapPost("/files/{filename}/yank", (HttpContext c, string project, string filename, ManageHandler h) =>
            h.HandleAsync(c, project, ReleaseTarget.File(filename), ManageAction.Yank));
        project.MapPost("/files/{filename}/unyank", (HttpContext c, string project, string filename, ManageHandler h) =>
            h.HandleAsync(c, project, ReleaseTarget.File(filename), ManageAction.Unyank));
        project.MapDelete("/files/{filename}", (HttpContext c, string project, string filename, ManageHandler h) =>
            h.HandleAsync(c, project, ReleaseTarget.File(filename), ManageAction.Delete));
        project.MapPost("/releases/{version}/yank", (HttpContext c, string project, string version, ManageHandler h) =>
            h.HandleAsync(c, project, ReleaseTarget.Release(version), ManageAction.Yank));
        project.MapPost("/releases/{version}/unyank", (HttpContext c, string project, string version, ManageHandler h) =>
            h.HandleAsync(c, project, ReleaseTarget.Release(version), ManageAction.Unyank));
        project.MapDelete("/releases/{version}", (HttpContext c, string project, string version, ManageHandler h) =>
            h.HandleAsync(c, project, ReleaseTarget.Release(version), ManageAction.Delete));
        return routes;
    }
}

public enum ManageAction
{
    Yank,
    Unyank,
    Delete,
}

/// <summary>One management request: authenticate, parse, check permission, ask <see cref="ReleaseManager"/>.</summary>
internal sealed class ManageHandler(Authenticator authenticator, ProjectPermissions permissions, ReleaseManager manager)
{
    public async Task<Results<JsonHttpResult<ManageResponse>, ProblemHttpResult>> HandleAsync(
        HttpContext context, string project, ReleaseTarget target, ManageAction action)
    {
        var cancellationToken = context.RequestAborted;
        var auth = await authenticator.AuthenticateAsync(context);
        if (Unauthenticated(context, auth) is { } rejected)
        {
            return rejected;
        }

        var caller = auth.Caller!;
        if (!caller.IndexAllows(""))
        {
            return Problem(StatusCodes.Status403Forbidden, caller.IndexRefusal(""));
        }

        // Not a project name: no such project (404), as on every page. Another spelling of a valid
        // name is that project (no redirect: a client does not repeat a POST or DELETE after a 301).
        if (ProjectUrl.Classify(project) == ProjectUrlKind.NotAName)
        {
            return Problem(StatusCodes.Status404NotFound, ProjectUrl.NotAName(project));
        }

        var name = ProjectName.Normalize(project);

        var (body, bodyError) = await ReadBodyAsync(context.Request, cancellationToken);
        var reason = ReleaseManager.NormalizeReason(body?.Reason, out var reasonError);
        if ((bodyError ?? reasonError) is { } error)
        {
            return Problem(StatusCodes.Status400BadRequest, error);
        }

        var selection = await manager.FindAsync(name, target, cancellationToken);
        if (!selection.ProjectKnown)
        {
            return Problem(StatusCodes.Status404NotFound, $"Project '{name}' is not in this index.");
        }

        if (!await permissions.CanManageAsync(caller, name, cancellationToken))
        {
            return Problem(StatusCodes.Status403Forbidden, caller.ScopeAllows(name)
                ? $"User '{caller.UserName}' may not manage project '{name}' (only its owners and admins may)."
                : $"This token is limited to project '{caller.TokenProject}', not '{name}'.");
        }

        if (selection.Selected.Count == 0)
        {
            return Problem(StatusCodes.Status404NotFound, await NotFoundAsync(name, target, cancellationToken));
        }

        if (action == ManageAction.Unyank)
        {
            reason = null;
        }

        try
        {
            await manager.ApplyAsync(selection, action, reason, caller.UserName, cancellationToken);
        }
        catch (Exception ex) when (StorageFull.Is(ex))
        {
            // The catalog could not grow: its transaction rolled back, nothing changed.
            return Problem(StatusCodes.Status507InsufficientStorage, StorageFull.Message);
        }
        catch (StorageUnavailableException ex)
        {
            // Each change is one transaction: it committed whole or not at all.
            context.Response.Headers.RetryAfter = StorageFailures.RetryAfterSeconds;
            return Problem(StatusCodes.Status503ServiceUnavailable, "Storage unavailable, try again shortly: " + ex.Message);
        }

        var files = selection.Selected.Select(f => f.Filename).Order(StringComparer.Ordinal).ToList();
        return TypedResults.Json(
            new ManageResponse(name.Value, action.ToString().ToLowerInvariant(), files, reason), ManageJsonContext.Default.ManageResponse);
    }

    private static ProblemHttpResult? Unauthenticated(HttpContext context, AuthResult auth) =>
        AuthResponses.Problem(context, auth, "Managing releases needs a user or an API token (username __token__).");

    /// <summary>The optional JSON body (<c>{"reason": "..."}</c>); an empty body is no body.</summary>
    private static async Task<(ManageRequest? Body, string? Error)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.TransferEncoding.Any()))
        {
            return (null, null);
        }

        try
        {
            return (await JsonSerializer.DeserializeAsync(request.Body, ManageJsonContext.Default.ManageRequest, cancellationToken), null);
        }
        catch (JsonException e)
        {
            return (null, "The request body must be JSON like {\"reason\": \"...\"}: " + e.Message);
        }
    }

    private async Task<string> NotFoundAsync(ProjectName project, ReleaseTarget target, CancellationToken cancellationToken)
    {
        if (target.Filename is { } filename && await manager.FindDeletedAsync(filename, cancellationToken) is { } deleted)
        {
            return $"File '{filename}' was deleted on {deleted.DeletedAt:yyyy-MM-dd} by {deleted.DeletedBy ?? "unknown"}"
                + (deleted.Reason is null ? "." : $" ({deleted.Reason}).");
        }

        return $"Project '{project}' has no {target}.";
    }

    private static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(detail, statusCode: status);
}
