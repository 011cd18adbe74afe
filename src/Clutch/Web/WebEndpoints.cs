using Clutch.Http;
using Clutch.Packaging;
using Clutch.Pages;
using Clutch.Web.Search;
using Clutch.Web.Slices;

namespace Clutch.Web;

/// <summary>
/// The pages for people (issue 18), rendered on the server with Razor Slices from the same project
/// details the simple pages and the JSON API come from. Every page carries a
/// Content-Security-Policy that allows no script at all (see <see cref="WebPage"/>).
/// </summary>
public static class WebEndpoints
{
    /// <summary>No script, no plugin, no framing; styles and images from this server only.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>The services the pages are built from.</summary>
    public static IServiceCollection AddWeb(this IServiceCollection services)
    {
        services.AddSingleton<ReadmeCache>();
        services.AddSingleton<ProjectPages>();
        services.AddSingleton<ProjectIndex>();
        return services;
    }

    public static IEndpointRouteBuilder MapWeb(this IEndpointRouteBuilder routes)
    {
        string[] read = [HttpMethods.Get, HttpMethods.Head];
        routes.MapMethods(Stylesheet.Path, read, Stylesheet.ServeAsync);
        routes.MapMethods("/project/{project}/", read, ProjectAsync);
        routes.MapMethods("/project/{project}/{version}/", read, ReleaseAsync);
        routes.MapMethods("/search/", read, SearchAsync);
        routes.MapMethods("/projects/", read, ProjectsAsync);
        routes.MapMethods("/help/", read, (HttpContext context) => new WebPage(HelpPage.Create(new HelpPageModel(BaseUrl(context.Request)))));
        return routes;
    }

    /// <summary>The 404 page, with the layout.</summary>
    public static IResult NotFound(string message) => new WebPage(NotFoundPage.Create(new NotFoundModel(message)), StatusCodes.Status404NotFound);

    /// <summary>This server's address as the client used it (scheme, Host header, base path), without a trailing slash.</summary>
    public static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";

    private static async Task<IResult> ProjectAsync(HttpContext context, string project, ProjectPages pages)
    {
        if (Canonical(context, project, null) is { } answer)
        {
            return answer;
        }

        var model = await pages.GetProjectAsync(ProjectName.Normalize(project), BaseUrl(context.Request), context.RequestAborted);
        return model is null
            ? NotFound($"There is no project '{ProjectUrl.Show(project)}' in this index.")
            : new WebPage(ProjectPage.Create(model));
    }

    private static async Task<IResult> ReleaseAsync(
        HttpContext context, string project, string version, ProjectPages pages, PageCache cache, Auth.ProjectPermissions permissions)
    {
        if (Canonical(context, project, version) is { } answer)
        {
            return answer;
        }

        var name = ProjectName.Normalize(project);
        var detail = await cache.GetDetailAsync(name);
        // A '%' is an encoded '/' that routing left encoded: no release has it, and escaping it again would redirect in circles.
        var wanted = version.Contains('%', StringComparison.Ordinal) ? null : PackageVersion.Parse(version);
        var release = wanted is null ? null : detail.Releases.FirstOrDefault(r => r.Version == wanted);
        if (release is null)
        {
            return NotFound(detail.Exists
                ? $"Project '{name.Value}' has no version '{ProjectUrl.Show(version)}'."
                : $"There is no project '{ProjectUrl.Show(project)}' in this index.");
        }

        var url = ProjectPages.ReleaseUrl(name, release);
        if (!string.Equals(context.Request.Path.Value, Uri.UnescapeDataString(url), StringComparison.Ordinal))
        {
            return TypedResults.Redirect(context.Request.PathBase + url, permanent: true);
        }

        var model = await pages.GetReleaseAsync(name, release, detail, BaseUrl(context.Request), context.RequestAborted);
        // The owner actions are forms, for a browser session (a client with Basic credentials uses the API).
        var canManage = context.User.Identity?.AuthenticationType == Auth.ClutchSchemes.Session
            && Auth.CallerPrincipal.From(context.User) is { } caller && await permissions.CanManageAsync(caller, name, context.RequestAborted);
        return new WebPage(ReleasePage.Create(model with { CanManage = canManage, ActionBase = url }));
    }

    private static async Task<IResult> SearchAsync(HttpContext context, ProjectIndex index)
    {
        var query = context.Request.Query["q"].ToString();
        if (string.IsNullOrWhiteSpace(query))
        {
            return new WebPage(SearchPage.Create(new SearchPageModel(null, null)));
        }

        var found = ProjectSearch.Find(await index.GetAsync(context.RequestAborted), query);
        var pager = Pager.For(Pager.Parse(context.Request.Query["page"]), found.Count, page => $"/search/?q={Uri.EscapeDataString(query)}&page={page}");
        return new WebPage(SearchPage.Create(new SearchPageModel(query, new ProjectListModel(pager.Slice(found), pager))));
    }

    private static async Task<IResult> ProjectsAsync(HttpContext context, ProjectIndex index)
    {
        var projects = (await index.GetAsync(context.RequestAborted)).Projects;
        var pager = Pager.For(Pager.Parse(context.Request.Query["page"]), projects.Count, page => $"/projects/?page={page}");
        return new WebPage(ProjectsPage.Create(new ProjectListModel(pager.Slice(projects), pager)));
    }

    /// <summary>
    /// The one decision about the project segment of a page URL: 404 for what is not a project name,
    /// 301 to the normalized name (and to the URL with its trailing slash); null to go on.
    /// </summary>
    private static IResult? Canonical(HttpContext context, string project, string? version)
    {
        var request = context.Request;
        switch (ProjectUrl.Classify(project))
        {
            case ProjectUrlKind.NotAName:
                return NotFound(ProjectUrl.NotAName(project));
            case ProjectUrlKind.Redirect when version is null || !version.Contains('%', StringComparison.Ordinal):
                return TypedResults.Redirect(
                    request.PathBase + "/project/" + ProjectName.Normalize(project).Value + "/" + (version is null ? "" : Uri.EscapeDataString(version) + "/"),
                    permanent: true);
            case ProjectUrlKind.Canonical when !request.Path.Value!.EndsWith('/'):
                return TypedResults.Redirect(request.PathBase + request.Path.ToUriComponent() + "/", permanent: true);
            default:
                return null;
        }
    }
}
