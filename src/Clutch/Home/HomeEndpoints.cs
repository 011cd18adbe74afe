namespace Clutch.Home;

/// <summary>
/// <c>GET /</c>: until the web UI exists, one small page telling a person who opens the server in a
/// browser how to use it. <c>POST /</c> stays the upload endpoint (pypiserver's twine URL).
/// </summary>
public static class HomeEndpoints
{
    public static IEndpointRouteBuilder MapHome(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], (HttpContext context) =>
        {
            var request = context.Request;
            // The address the client used (scheme, Host header, base path), so every snippet works as pasted.
            var page = HomePageWriter.Write($"{request.Scheme}://{request.Host}{request.PathBase}");
            var response = context.Response;
            response.ContentType = "text/html; charset=utf-8";
            response.Headers.CacheControl = "no-cache";
            response.ContentLength = page.Length;
            return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.Body.WriteAsync(page, context.RequestAborted).AsTask();
        });
        return routes;
    }
}
