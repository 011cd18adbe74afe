using Clutch.Packaging;
using Clutch.Pages;

namespace Clutch.Simple;

/// <summary>The simple repository API (PEP 503 / 691 / 700): the root and one page per project.</summary>
public static class SimpleEndpoints
{
    private const string NotAcceptable =
        "Not acceptable: this index answers application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html or text/html.\n";

    public static IEndpointRouteBuilder MapSimple(this IEndpointRouteBuilder routes)
    {
        // Routing ignores a trailing slash, so "/simple" and "/simple/" are one route; the handler tells them apart.
        routes.MapMethods("/simple", [HttpMethods.Get, HttpMethods.Head], RootAsync);
        routes.MapMethods("/simple/{project}", [HttpMethods.Get, HttpMethods.Head], ProjectAsync);
        return routes;
    }

    private static async Task RootAsync(HttpContext context, PageCache cache, PageResponder responder)
    {
        if (!context.Request.Path.Value!.EndsWith('/'))
        {
            await Redirects.Permanent(context, "/simple/");
            return;
        }

        var format = ContentNegotiation.Choose(context.Request.Headers.Accept, FormatParameter(context));
        if (format == SimpleFormat.None)
        {
            await PlainText.WriteAsync(context, StatusCodes.Status406NotAcceptable, NotAcceptable);
            return;
        }

        var root = await cache.GetRootAsync();
        await responder.WriteSimpleAsync(context, root.SimpleHtml, root.SimpleJson, format);
    }

    /// <summary>The <c>?format=</c> value; a '+' sent unencoded arrives as a space and is put back.</summary>
    private static string? FormatParameter(HttpContext context)
    {
        var value = context.Request.Query["format"].ToString();
        return value.Length == 0 ? null : value.Replace(' ', '+');
    }

    private static async Task ProjectAsync(HttpContext context, string project, PageCache cache, PageResponder responder)
    {
        if (await ProjectUrl.PageAsync(context, "/simple/", project) is not { } name)
        {
            return;
        }

        var format = ContentNegotiation.Choose(context.Request.Headers.Accept, FormatParameter(context));
        if (format == SimpleFormat.None)
        {
            await PlainText.WriteAsync(context, StatusCodes.Status406NotAcceptable, NotAcceptable);
            return;
        }

        var snapshot = await cache.GetProjectAsync(name);
        if (!snapshot.Exists)
        {
            await PlainText.WriteAsync(context, StatusCodes.Status404NotFound, $"Project '{project}' is not in this index.\n");
            return;
        }

        await responder.WriteSimpleAsync(context, snapshot.SimpleHtml, snapshot.SimpleJson, format);
    }
}
