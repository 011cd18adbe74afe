using RazorSlices;

namespace Clutch.Web;

/// <summary>
/// A rendered page as the answer: the slice is rendered into memory first, so the answer has a
/// Content-Length (HEAD reports it too), every header (the policy, cookies the layout sets) goes
/// out before the body, and a failure while rendering is a 500, not a half page.
/// </summary>
public sealed class WebPage(RazorSlice slice, int statusCode = StatusCodes.Status200OK) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using var body = new MemoryStream();
        slice.HttpContext = httpContext;
        await slice.RenderAsync(body, cancellationToken: httpContext.RequestAborted);
        slice.Dispose();
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = body.Length;
        response.Headers.ContentSecurityPolicy = WebEndpoints.ContentSecurityPolicy;
        // Pages show who is signed in: no shared cache may keep one, and a browser asks again. A page
        // with a form token (a signed-in user's) was already marked never to be stored.
        if (Microsoft.Extensions.Primitives.StringValues.IsNullOrEmpty(response.Headers.CacheControl))
        {
            response.Headers.CacheControl = "private, no-cache";
        }
        if (!HttpMethods.IsHead(httpContext.Request.Method))
        {
            await response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length), httpContext.RequestAborted);
        }
    }
}
