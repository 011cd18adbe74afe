using System.Collections.Concurrent;
using Clutch.Http;
using Clutch.Packaging;
using Clutch.Pages;
using Microsoft.Extensions.Primitives;

namespace Clutch.Simple;

/// <summary>
/// The one handler of the simple repository API (PEP 503 / 691 / 700): <c>/simple/</c> and
/// <c>/simple/{project}/</c>. Each decision is made here once — the project name in the URL
/// (<see cref="ProjectUrl"/>), the representation (Accept or <c>?format=</c>), 404 — and both the
/// endpoints and <see cref="PageFastPath"/> (which answers before routing) call it.
/// </summary>
public sealed class SimplePages(PageCache cache, PageResponder responder, string prefix = SimplePages.Prefix)
{
    /// <summary>The default index's simple API; another index's is <c>/{index}/simple/</c>.</summary>
    public const string Prefix = "/simple/";
    private const int MaxRememberedAcceptHeaders = 256;

    private const string NotAcceptable =
        "Not acceptable: this index answers application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html or text/html.\n";

    // Clients send a handful of exact Accept strings (pip, uv, poetry, browsers); parse each once.
    private readonly ConcurrentDictionary<string, SimpleFormat> _formats = new(StringComparer.Ordinal);

    /// <summary><c>/simple</c> (redirected) and <c>/simple/</c>: every project.</summary>
    public Task RootAsync(HttpContext context)
    {
        if (!context.Request.Path.Value!.EndsWith('/'))
        {
            return Redirects.Permanent(context, prefix);
        }

        var format = Negotiate(context.Request);
        return format == SimpleFormat.None ? RefuseAsync(context) : WriteRootAsync(context, format);
    }

    /// <summary><c>/simple/{segment}</c> and <c>/simple/{segment}/</c>, the segment as routing decodes it.</summary>
    public Task ProjectAsync(HttpContext context, string segment)
    {
        if (ProjectUrl.Classify(segment) != ProjectUrlKind.Canonical || !context.Request.Path.Value!.EndsWith('/'))
        {
            return ProjectUrl.PageAsync(context, prefix, segment); // 404 or 301: never a page here
        }

        var format = Negotiate(context.Request);
        if (format == SimpleFormat.None)
        {
            return RefuseAsync(context);
        }

        // A built page is answered without an await; the first request builds it.
        return cache.TryGetBuiltProject(segment, out var built)
            ? responder.WriteSimpleAsync(context, built.SimpleHtml, built.SimpleJson, format)
            : BuildAndWriteAsync(context, segment, format);
    }

    private async Task WriteRootAsync(HttpContext context, SimpleFormat format)
    {
        var root = await cache.GetRootAsync();
        await responder.WriteSimpleAsync(context, root.SimpleHtml, root.SimpleJson, format);
    }

    private async Task BuildAndWriteAsync(HttpContext context, string segment, SimpleFormat format)
    {
        var snapshot = await cache.GetProjectAsync(ProjectName.Normalize(segment));
        if (!snapshot.Exists)
        {
            await PlainText.WriteAsync(context, StatusCodes.Status404NotFound, $"Project '{segment}' is not in this index.\n");
            return;
        }

        await responder.WriteSimpleAsync(context, snapshot.SimpleHtml, snapshot.SimpleJson, format);
    }

    private static Task RefuseAsync(HttpContext context) => PlainText.WriteAsync(context, StatusCodes.Status406NotAcceptable, NotAcceptable);

    /// <summary>The representation asked for: <c>?format=</c> when given, else the Accept header.</summary>
    private SimpleFormat Negotiate(HttpRequest request)
    {
        var accept = request.Headers.Accept;
        if (request.QueryString.HasValue && request.Query["format"].ToString() is { Length: > 0 } format)
        {
            // A '+' sent unencoded arrives as a space and is put back.
            return ContentNegotiation.Choose(accept, format.Replace(' ', '+'));
        }

        if (accept.Count != 1 || accept[0] is not { } header)
        {
            return ContentNegotiation.Choose(accept, null);
        }

        if (_formats.TryGetValue(header, out var known))
        {
            return known;
        }

        known = ContentNegotiation.Choose(accept, null);
        if (_formats.Count < MaxRememberedAcceptHeaders)
        {
            _formats.TryAdd(header, known);
        }

        return known;
    }
}
