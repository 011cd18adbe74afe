using System.Collections.Concurrent;
using Clutch.Files;
using Clutch.Hosting;
using Clutch.Links;
using Clutch.Packaging;
using Clutch.Simple;
using Clutch.Storage;
using Microsoft.Extensions.Primitives;

namespace Clutch.Pages;

/// <summary>
/// Sends the requests an index sees thousands of times per write — the simple and links pages and
/// file downloads — to their handlers before endpoint routing runs (routing costs more than
/// answering a cached page). It decides nothing itself: it calls the very handlers the endpoints
/// call (<see cref="SimplePages"/>, <see cref="LinksPages"/>, <see cref="FileEndpoints"/>), so
/// every answer, redirects and errors included, is the same with or without it.
/// </summary>
public sealed class PageFastPath(RequestDelegate next, SimplePages simple, LinksPages links, FileLocator files, IBlobStore blobs, CacheHeaders cacheHeaders, SmallFileCache smallFiles, StaleFiles stale)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value;
        if (path is null || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            return next(context);
        }

        if (path.StartsWith(SimplePages.Prefix, StringComparison.Ordinal) || path == "/simple")
        {
            return TryProjectSegment(path, SimplePages.Prefix, out var segment)
                ? segment is null ? simple.RootAsync(context) : simple.ProjectAsync(context, segment)
                : next(context);
        }

        if (path.StartsWith("/files/", StringComparison.Ordinal) && !request.QueryString.HasValue && !path.Contains('%', StringComparison.Ordinal))
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

        if (path.StartsWith(LinksPages.Prefix, StringComparison.Ordinal) || path == "/links")
        {
            return TryProjectSegment(path, LinksPages.Prefix, out var segment)
                ? segment is null ? links.RootAsync(context) : links.ProjectAsync(context, segment)
                : next(context);
        }

        return next(context);
    }

    /// <summary>
    /// The URLs the page handlers answer: <c>{prefix}</c> without or with its slash (a null segment),
    /// and <c>{prefix}{segment}</c> with or without a trailing slash. Anything deeper is routing's
    /// (a 404 there).
    /// </summary>
    internal static bool TryProjectSegment(string path, string prefix, out string? segment)
    {
        segment = null;
        if (path.Length <= prefix.Length)
        {
            return true;
        }

        var end = path[^1] == '/' ? path.Length - 1 : path.Length;
        var slash = path.IndexOf('/', prefix.Length);
        if (slash >= 0 && slash < end)
        {
            return false;
        }

        segment = path[prefix.Length..end];
        return segment.Length > 0;
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
}
