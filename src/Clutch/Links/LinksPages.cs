using Clutch.Http;
using Clutch.Packaging;
using Clutch.Pages;

namespace Clutch.Links;

/// <summary>
/// The one handler of the find-links pages (<c>easy_install -f</c>, <c>pip -f</c>): <c>/links/</c>
/// (every file) and <c>/links/{project}/</c>; both the endpoints and <see cref="PageFastPath"/> call it.
/// </summary>
public sealed class LinksPages(PageCache cache, PageResponder responder, string prefix = LinksPages.Prefix)
{
    /// <summary>The default index's find-links pages; another index's are under <c>/{index}/links/</c>.</summary>
    public const string Prefix = "/links/";
    private const string Html = "text/html; charset=utf-8";

    /// <summary><c>/links</c> (redirected) and <c>/links/</c>.</summary>
    public Task RootAsync(HttpContext context) =>
        context.Request.Path.Value!.EndsWith('/') ? WriteRootAsync(context) : Redirects.Permanent(context, prefix);

    /// <summary><c>/links/{segment}</c> and <c>/links/{segment}/</c>, the segment as routing decodes it.</summary>
    public Task ProjectAsync(HttpContext context, string segment)
    {
        if (ProjectUrl.Classify(segment) != ProjectUrlKind.Canonical || !context.Request.Path.Value!.EndsWith('/'))
        {
            return ProjectUrl.PageAsync(context, prefix, segment); // 404 or 301: never a page here
        }

        return cache.TryGetBuiltProject(segment, out var built)
            ? responder.WriteAsync(context, built.LinksHtml, Html)
            : BuildAndWriteAsync(context, segment);
    }

    private async Task WriteRootAsync(HttpContext context) =>
        await responder.WriteAsync(context, await cache.GetLinksRootAsync(), Html);

    private async Task BuildAndWriteAsync(HttpContext context, string segment)
    {
        var snapshot = await cache.GetProjectAsync(ProjectName.Normalize(segment));
        if (!snapshot.Exists)
        {
            await PlainText.WriteAsync(context, StatusCodes.Status404NotFound, $"Project '{segment}' is not in this index.\n");
            return;
        }

        await responder.WriteAsync(context, snapshot.LinksHtml, Html);
    }
}
