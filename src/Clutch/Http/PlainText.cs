using Microsoft.AspNetCore.Http.Features;

namespace Clutch.Http;

/// <summary>One-line plain-text answers (the simple API's error style).</summary>
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

    /// <summary>
    /// Puts a one-line reason into the status line as well (printable ASCII, at most 200 characters):
    /// twine shows the reason phrase of an error, not its body (the body only with --verbose).
    /// </summary>
    public static void SetReasonPhrase(HttpContext context, string message)
    {
        var ascii = new string(message.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
        context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = ascii.Length <= 200 ? ascii : ascii[..200];
    }
}
