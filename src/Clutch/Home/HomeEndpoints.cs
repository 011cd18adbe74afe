using Clutch.Web;
using Clutch.Web.Search;
using Clutch.Web.Slices;

namespace Clutch.Home;

/// <summary>
/// <c>GET /</c>: the home page for a person who opens the server in a browser: a search box, this
/// server's index URL with the lines to use it, counts and the latest uploads.
/// <c>POST /</c> stays the upload endpoint (pypiserver's twine URL).
/// </summary>
public static class HomeEndpoints
{
    public static IEndpointRouteBuilder MapHome(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], async (HttpContext context, ProjectIndex index) =>
        {
            var snapshot = await index.GetAsync(context.RequestAborted);
            // The address the client used (scheme, Host header, base path), so every snippet works as pasted.
            var model = new HomePageModel(WebEndpoints.BaseUrl(context.Request), snapshot.Projects.Count, snapshot.FileCount, snapshot.LatestUploads);
            return new WebPage(HomePage.Create(model));
        });
        return routes;
    }
}
