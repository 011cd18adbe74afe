using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Clutch.Hosting;
using Clutch.Http;
using Clutch.Packaging;
using Clutch.Pages;
using Clutch.Reads;

namespace Clutch.Json;

/// <summary>The Warehouse-compatible JSON API: <c>/pypi/{project}/json</c> and <c>/pypi/{project}/{version}/json</c>.</summary>
public static class PypiJsonEndpoints
{
    public static IEndpointRouteBuilder MapPypiJson(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/pypi/{project}/json", [HttpMethods.Get, HttpMethods.Head],
            (HttpContext context, string project, PageCache cache, ReleaseMetadataCache metadata) => ServeAsync(context, project, null, cache, metadata));
        routes.MapMethods("/pypi/{project}/{version}/json", [HttpMethods.Get, HttpMethods.Head],
            (HttpContext context, string project, string version, PageCache cache, ReleaseMetadataCache metadata) => ServeAsync(context, project, version, cache, metadata));
        return routes;
    }

    private static async Task ServeAsync(HttpContext context, string project, string? version, PageCache cache, ReleaseMetadataCache metadataCache)
    {
        switch (ProjectUrl.Classify(project))
        {
            case ProjectUrlKind.NotAName:
                await Problem(context, ProjectUrl.NotAName(project));
                return;
            // A '%' in the version is an encoded '/' that routing left encoded (no PEP 440 version has
            // a '%'): escaped again it would redirect to yet another URL. Such a request is a 404 below.
            case ProjectUrlKind.Redirect when version is null || !version.Contains('%', StringComparison.Ordinal):
                var rest = version is null ? "/json" : "/" + Uri.EscapeDataString(version) + "/json";
                await Redirects.Permanent(context, "/pypi/" + ProjectName.Normalize(project).Value + rest);
                return;
        }

        var name = ProjectName.Normalize(project);
        var detail = await cache.GetDetailAsync(name);
        var releases = detail.Releases;
        Release? release;
        if (version is null)
        {
            release = ProjectReleases.Latest(releases);
        }
        else
        {
            var wanted = PackageVersion.Parse(version);
            release = releases.FirstOrDefault(r => r.Version == wanted);
        }

        if (release is null)
        {
            await Problem(context, version is null ? $"Project '{project}' is not in this index." : $"Project '{project}' has no version '{ProjectUrl.Show(version)}'.");
            return;
        }

        var metadata = await metadataCache.GetAsync(detail, release, context.RequestAborted);
        var request = context.Request;
        var baseUrl = $"{request.Scheme}://{request.Host}{request.PathBase}";
        var body = PypiJsonWriter.Write(name, release, metadata, version is null ? releases : null, baseUrl);
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = context.RequestServices.GetRequiredService<CacheHeaders>().Pages;
        context.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(request.Method))
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    private static Task Problem(HttpContext context, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not Found").ExecuteAsync(context);
}

/// <summary>Release metadata per project detail: read once per change, dropped with the detail.</summary>
public sealed class ReleaseMetadataCache(ReleaseMetadataReader reader)
{
    private readonly ConditionalWeakTable<ProjectDetail, ConcurrentDictionary<string, Task<CoreMetadata?>>> _byDetail = [];

    public Task<CoreMetadata?> GetAsync(ProjectDetail detail, Release release, CancellationToken cancellationToken)
    {
        var perDetail = _byDetail.GetValue(detail, static _ => new ConcurrentDictionary<string, Task<CoreMetadata?>>(StringComparer.Ordinal));
        // Shared by every request for this detail, so one caller hanging up must not cancel it.
        _ = cancellationToken;
        return perDetail.GetOrAdd(release.Key, _ => reader.ReadAsync(release, CancellationToken.None));
    }
}
