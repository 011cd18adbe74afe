using Clutch.Auth;
using Clutch.Files;
using Clutch.Hosting;
using Clutch.Http;
using Clutch.Mirror;

namespace Clutch.Indexes;

/// <summary>
/// Answers the read URLs of every index but the default: <c>/{index}/simple/…</c>,
/// <c>/{index}/links/…</c> and <c>/{index}/files/…</c>, with the very handlers the default index's
/// URLs use (each index has its own instances, with its own prefix and page cache). Runs before
/// routing, like <see cref="Pages.PageFastPath"/>; a first segment that names no index goes on to
/// routing untouched. A private index asks for credentials first.
/// </summary>
public sealed class IndexDispatch(RequestDelegate next, IndexRegistry registry, Authenticator authenticator, MirrorFiles mirrorFiles, CacheHeaders cacheHeaders, SmallFileCache smallFiles, StaleFiles stale)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value;
        if (path is null || path.Length < 3 || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            return next(context);
        }

        var end = path.IndexOf('/', 1);
        var first = end < 0 ? path.AsSpan(1) : path.AsSpan(1, end - 1);
        if (!IndexNames.CouldBe(first) || !registry.TryGet(first, out var index))
        {
            return next(context);
        }

        return index.Definition.Private ? PrivateAsync(context, index, path, end) : UpstreamAnswerAsync(context, index, path, end);
    }

    private async Task PrivateAsync(HttpContext context, IndexRuntime index, string path, int end)
    {
        var auth = await authenticator.AuthenticateAsync(context);
        if (await AuthResponses.TryRejectAsync(context, auth, $"Index '{index.Name}' is private: credentials are required.\n"))
        {
            return;
        }

        if (!auth.Caller!.IndexAllows(index.Name))
        {
            await PlainText.WriteAsync(context, StatusCodes.Status403Forbidden, auth.Caller.IndexRefusal(index.Name) + "\n");
            return;
        }

        await UpstreamAnswerAsync(context, index, path, end);
    }

    /// <summary>
    /// For an index that reads an upstream (itself or through a base), a page the upstream cannot
    /// give and that was never fetched before answers 502 (unreachable) or 504 (timed out), in one line.
    /// </summary>
    private async Task UpstreamAnswerAsync(HttpContext context, IndexRuntime index, string path, int end)
    {
        try
        {
            await AnswerAsync(context, index, path, end);
        }
        catch (Exception e) when (e is UpstreamUnavailableException or UpstreamFormatException && !context.Response.HasStarted)
        {
            var status = e is UpstreamUnavailableException { TimedOut: true } ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway;
            await PlainText.WriteAsync(context, status, $"Index '{index.Name}' could not read its upstream and has no copy of this page: {e.Message}\n");
        }
    }

    private Task AnswerAsync(HttpContext context, IndexRuntime index, string path, int end)
    {
        if (end < 0 || end == path.Length - 1)
        {
            // The index's own URL: its simple API is what a client wants from it.
            return Redirects.Permanent(context, "/" + index.Name + "/simple/");
        }

        var rest = path[end..]; // "/simple/…", "/links/…", "/files/…"
        if (rest.StartsWith(Simple.SimplePages.Prefix, StringComparison.Ordinal) || rest == "/simple")
        {
            return Pages.PageFastPath.TryProjectSegment(rest, Simple.SimplePages.Prefix, out var segment)
                ? segment is null ? index.Simple.RootAsync(context) : index.Simple.ProjectAsync(context, segment)
                : NotFoundAsync(context, path);
        }

        if (rest.StartsWith(Links.LinksPages.Prefix, StringComparison.Ordinal) || rest == "/links")
        {
            return Pages.PageFastPath.TryProjectSegment(rest, Links.LinksPages.Prefix, out var segment)
                ? segment is null ? index.Links.RootAsync(context) : index.Links.ProjectAsync(context, segment)
                : NotFoundAsync(context, path);
        }

        if (rest.StartsWith("/files/", StringComparison.Ordinal))
        {
            return FileAsync(context, index, Uri.UnescapeDataString(rest["/files/".Length..]));
        }

        return NotFoundAsync(context, path);
    }

    private async Task FileAsync(HttpContext context, IndexRuntime index, string key)
    {
        if (index.Mirror is { } mirror)
        {
            await mirrorFiles.ServeAsync(context, index, mirror, key);
            return;
        }

        if (index.Files is null)
        {
            await NotFoundAsync(context, context.Request.Path.Value!);
            return;
        }

        var result = await FileEndpoints.ServeAsync(key, context, index.Files, index.Blobs, cacheHeaders, smallFiles, stale);
        await result.ExecuteAsync(context);
    }

    private static Task NotFoundAsync(HttpContext context, string path) =>
        PlainText.WriteAsync(context, StatusCodes.Status404NotFound, $"Nothing at '{ProjectUrl.Show(path)}'.\n");
}
