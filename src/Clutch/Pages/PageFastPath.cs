using System.Collections.Concurrent;
using Clutch.Files;
using Clutch.Hosting;
using Clutch.Packaging;
using Clutch.Simple;
using Clutch.Storage;
using Microsoft.Extensions.Primitives;

namespace Clutch.Pages;

/// <summary>
/// Answers the requests an index sees thousands of times per write — a cached simple or links
/// page at its canonical URL, or a file download — before endpoint routing runs. It only ever answers what the
/// endpoints would answer with the same <see cref="PageResponder"/>; anything else (redirects,
/// 404, 406, <c>?format=</c>, odd names) falls through to the endpoints unchanged.
/// </summary>
public sealed class PageFastPath(RequestDelegate next, PageCache cache, PageResponder responder, FileLocator files, IBlobStore blobs, CacheHeaders cacheHeaders, SmallFileCache smallFiles, StaleFiles stale)
{
    private const string Html = "text/html; charset=utf-8";
    private const int MaxRememberedAcceptHeaders = 256;

    // Clients send a handful of exact Accept strings (pip, uv, poetry, browsers); parse each once.
    private readonly ConcurrentDictionary<string, SimpleFormat> _formats = new(StringComparer.Ordinal);

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value;
        if (path is null || request.QueryString.HasValue || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            return next(context);
        }

        if (path.StartsWith("/simple/", StringComparison.Ordinal))
        {
            return SimpleAsync(context, path);
        }

        if (path.StartsWith("/files/", StringComparison.Ordinal) && !path.Contains('%', StringComparison.Ordinal))
        {
            // Downloads are the other hot path. A file of a built project is found by a lookup on the
            // path itself, and a whole small file the cache holds is answered from there; anything
            // else takes the /files endpoint's handler, without routing (and without a second lookup
            // when the file is already found).
            var key = path.AsSpan("/files/".Length);
            if (files.TryFindBuilt(key, out var download))
            {
                if (SmallFileResult.Applies(request, download.Size) && download.Cached is { } held)
                {
                    context.Response.Headers.CacheControl = cacheHeaders.Files;
                    return SmallFileResult.WriteHeldAsync(context, download, held, ContentTypes.For(key));
                }

                return FoundFileAsync(context, path["/files/".Length..], download);
            }

            return FileAsync(context, path["/files/".Length..]);
        }

        return path.StartsWith("/links/", StringComparison.Ordinal) ? LinksAsync(context, path) : next(context);
    }

    private async Task FileAsync(HttpContext context, string key)
    {
        var result = await FileEndpoints.ServeAsync(key, context, files, blobs, cacheHeaders, smallFiles, stale);
        await result.ExecuteAsync(context);
    }

    private async Task FoundFileAsync(HttpContext context, string key, FileDownload download)
    {
        var result = await FileEndpoints.AnswerAsync(key, key, download, wantsMetadata: false, context, blobs, cacheHeaders, smallFiles, stale);
        await result.ExecuteAsync(context);
    }

    private Task SimpleAsync(HttpContext context, string path)
    {
        var format = Negotiate(context.Request.Headers.Accept);
        if (format == SimpleFormat.None)
        {
            return next(context);
        }

        if (path.Length == "/simple/".Length)
        {
            return SimpleRootAsync(context, format);
        }

        if (!IsCanonicalPage(path, "/simple/".Length, out var key))
        {
            return next(context);
        }

        // A built page is answered without an allocation or an await; the first request builds it.
        return cache.TryGetBuiltProject(key, out var built)
            ? responder.WriteSimpleAsync(context, built.SimpleHtml, built.SimpleJson, format)
            : SimpleProjectAsync(context, ProjectName.Normalize(key.ToString()), format);
    }

    private async Task SimpleRootAsync(HttpContext context, SimpleFormat format)
    {
        var root = await cache.GetRootAsync();
        await responder.WriteSimpleAsync(context, root.SimpleHtml, root.SimpleJson, format);
    }

    private async Task SimpleProjectAsync(HttpContext context, ProjectName name, SimpleFormat format)
    {
        var snapshot = await cache.GetProjectAsync(name);
        if (!snapshot.Exists)
        {
            await next(context);
            return;
        }

        await responder.WriteSimpleAsync(context, snapshot.SimpleHtml, snapshot.SimpleJson, format);
    }

    private Task LinksAsync(HttpContext context, string path)
    {
        if (path.Length == "/links/".Length)
        {
            return LinksRootAsync(context);
        }

        if (!IsCanonicalPage(path, "/links/".Length, out var key))
        {
            return next(context);
        }

        return cache.TryGetBuiltProject(key, out var built)
            ? responder.WriteAsync(context, built.LinksHtml, Html)
            : LinksProjectAsync(context, ProjectName.Normalize(key.ToString()));
    }

    private async Task LinksRootAsync(HttpContext context) =>
        await responder.WriteAsync(context, await cache.GetLinksRootAsync(), Html);

    private async Task LinksProjectAsync(HttpContext context, ProjectName name)
    {
        var snapshot = await cache.GetProjectAsync(name);
        if (!snapshot.Exists)
        {
            await next(context);
            return;
        }

        await responder.WriteAsync(context, snapshot.LinksHtml, Html);
    }

    /// <summary>
    /// True for <c>{prefix}{name}/</c> with the name (<paramref name="name"/>) already in normalized
    /// form (a-z, 0-9, single '-'), so the endpoint would answer the page rather than redirect.
    /// </summary>
    private static bool IsCanonicalPage(string path, int start, out ReadOnlySpan<char> name)
    {
        var end = path.Length - 1;
        name = end > start ? path.AsSpan(start, end - start) : default;
        return end > start && path[end] == '/' && ProjectUrl.Classify(name) == ProjectUrlKind.Canonical;
    }

    private SimpleFormat Negotiate(StringValues accept)
    {
        if (accept.Count != 1 || accept[0] is not { } header)
        {
            return ContentNegotiation.Choose(accept, null);
        }

        if (_formats.TryGetValue(header, out var format))
        {
            return format;
        }

        format = ContentNegotiation.Choose(accept, null);
        if (_formats.Count < MaxRememberedAcceptHeaders)
        {
            _formats.TryAdd(header, format);
        }

        return format;
    }
}
