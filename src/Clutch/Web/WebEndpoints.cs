using Clutch.Http;
using Clutch.Json;
using Clutch.Packaging;
using Clutch.Pages;
using Clutch.Reads;
using Clutch.Web.Slices;

namespace Clutch.Web;

/// <summary>
/// The pages for people (issue 18), rendered on the server with Razor Slices from the same project
/// details the simple pages come from. Every page carries a Content-Security-Policy that allows no
/// script at all.
/// </summary>
public static class WebEndpoints
{
    /// <summary>No script, no plugin, no framing; styles and images from this server only.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static IEndpointRouteBuilder MapWeb(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods(Stylesheet.Path, [HttpMethods.Get, HttpMethods.Head], Stylesheet.ServeAsync);
        routes.MapMethods("/project/{project}/", [HttpMethods.Get, HttpMethods.Head], ProjectAsync);
        return routes;
    }

    private static async Task<IResult> ProjectAsync(HttpContext context, string project, PageCache cache, ReleaseMetadataCache metadata)
    {
        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        switch (ProjectUrl.Classify(project))
        {
            case ProjectUrlKind.NotAName:
                return TypedResults.Text(ProjectUrl.NotAName(project) + "\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
            case ProjectUrlKind.Redirect:
                return TypedResults.Redirect("/project/" + ProjectName.Normalize(project).Value + "/", permanent: true);
        }

        var name = ProjectName.Normalize(project);
        var detail = await cache.GetDetailAsync(name);
        if (ProjectReleases.Latest(detail.Releases) is not { } latest)
        {
            return TypedResults.Text($"Project '{project}' is not in this index.\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
        }

        var core = await metadata.GetAsync(detail, latest, context.RequestAborted);
        var request = context.Request;
        var versions = detail.Releases
            .OrderByDescending(r => r.Version)
            .Select(r => new VersionRow(r.Version.Original, r.Version.IsPrerelease, r.Yanked, r.Yanked ? r.Files[0].YankedReason : null))
            .ToList();
        var model = new ProjectPageModel(
            name.Value,
            latest.Files[0].ProjectDisplayName ?? name.Value,
            latest.Version.Original,
            core?.Summary,
            $"{request.Scheme}://{request.Host}{request.PathBase}/simple/",
            versions);
        return ProjectPage.Create(model);
    }
}
