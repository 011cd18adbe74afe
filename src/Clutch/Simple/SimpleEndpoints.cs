namespace Clutch.Simple;

/// <summary>Routes of the simple repository API; <see cref="SimplePages"/> answers them.</summary>
public static class SimpleEndpoints
{
    public static IEndpointRouteBuilder MapSimple(this IEndpointRouteBuilder routes)
    {
        // Routing ignores a trailing slash, so "/simple" and "/simple/" are one route; the handler tells them apart.
        routes.MapMethods("/simple", [HttpMethods.Get, HttpMethods.Head], (HttpContext context, SimplePages pages) => pages.RootAsync(context));
        routes.MapMethods("/simple/{project}", [HttpMethods.Get, HttpMethods.Head], (HttpContext context, string project, SimplePages pages) => pages.ProjectAsync(context, project));
        return routes;
    }
}
