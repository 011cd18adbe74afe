namespace Clutch.Http;

/// <summary>Redirects that keep the app's base path and the query string.</summary>
public static class Redirects
{
    /// <summary>301 to <paramref name="path"/> under the app's base path, keeping the query string.</summary>
    public static Task Permanent(HttpContext context, string path)
    {
        var request = context.Request;
        context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
        context.Response.Headers.Location = request.PathBase + path + request.QueryString;
        return Task.CompletedTask;
    }
}
