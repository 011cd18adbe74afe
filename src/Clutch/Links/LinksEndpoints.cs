using Clutch.Packaging;
using Clutch.Pages;

namespace Clutch.Links;

/// <summary>
/// The find-links pages (<c>easy_install -f</c>, <c>pip -f</c>): every file as a plain link, plus the
/// developer links of the origin's lister.
/// </summary>
public static class LinksEndpoints
{
    private const string Html = "text/html; charset=utf-8";

    public static IEndpointRouteBuilder MapLinks(this IEndpointRouteBuilder routes)
    {
        // Routing ignores a trailing slash, so "/links" and "/links/" are one route; the handler tells them apart.
        routes.MapMethods("/links", [HttpMethods.Get, HttpMethods.Head], async (HttpContext context, PageCache cache, PageResponder responder) =>
        {
            if (!context.Request.Path.Value!.EndsWith('/'))
            {
                await Redirects.Permanent(context, "/links/");
                return;
            }

            await responder.WriteAsync(context, await cache.GetLinksRootAsync(), Html);
        });
        routes.MapMethods("/links/{project}", [HttpMethods.Get, HttpMethods.Head], ProjectAsync);
        return routes;
    }

    private static async Task ProjectAsync(HttpContext context, string project, PageCache cache, PageResponder responder)
    {
        if (await ProjectUrl.PageAsync(context, "/links/", project) is not { } name)
        {
            return;
        }

        var snapshot = await cache.GetProjectAsync(name);
        if (!snapshot.Exists)
        {
            await PlainText.WriteAsync(context, StatusCodes.Status404NotFound, $"Project '{project}' is not in this index.\n");
            return;
        }

        await responder.WriteAsync(context, snapshot.LinksHtml, Html);
    }
}
