namespace Clutch.Pages;

/// <summary>One-line plain-text answers (the simple API's error style) and redirects.</summary>
public static class PlainText
{
    public static Task WriteAsync(HttpContext context, int status, string message)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.Vary = "Accept, Accept-Encoding";
        response.Headers.CacheControl = "no-cache";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.WriteAsync(message, context.RequestAborted);
    }
}

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
