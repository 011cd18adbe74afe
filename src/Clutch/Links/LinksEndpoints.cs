namespace Clutch.Links;

/// <summary>Routes of the find-links pages; <see cref="LinksPages"/> answers them.</summary>
public static class LinksEndpoints
{
    public static IEndpointRouteBuilder MapLinks(this IEndpointRouteBuilder routes)
    {
        // Routing ignores a trailing slash, so "/links" and "/links/" are one route; the handler tells them apart.
        routes.MapMethods("/links", [HttpMethods.Get, HttpMethods.Head], (HttpContext context, LinksPages pages) => pages.RootAsync(context));
        routes.MapMethods("/links/{project}", [HttpMethods.Get, HttpMethods.Head], (HttpContext context, string project, LinksPages pages) => pages.ProjectAsync(context, project));
        return routes;
    }
}
