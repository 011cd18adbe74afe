using Clutch.Http;
using Clutch.Pages;
using Clutch.Storage;

namespace Clutch.Health;

/// <summary>
/// Liveness (the process answers) and readiness: the catalog and the blob store answer, and the
/// first pass of the folder indexer (folder mode) is done.
/// </summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/health/live", [HttpMethods.Get, HttpMethods.Head], (HttpContext context) =>
            PlainText.WriteAsync(context, StatusCodes.Status200OK, "live\n"));
        routes.MapMethods("/health/ready", [HttpMethods.Get, HttpMethods.Head], async (HttpContext context, PageCache cache, ICatalog catalog, IBlobStore blobs, IEnumerable<IReadinessCheck> checks) =>
        {
            var reason = await catalog.CheckAsync(context.RequestAborted) is { } catalogDown ? "catalog: " + catalogDown
                : await blobs.CheckAsync(context.RequestAborted) is { } blobsDown ? "blob store: " + blobsDown
                : null;
            if (reason is null)
            {
                await cache.GetRootAsync(); // the catalog answers a real read
                foreach (var check in checks)
                {
                    if (!check.IsReady(out var why))
                    {
                        reason = why;
                        break;
                    }
                }
            }

            if (reason is not null)
            {
                context.Response.Headers.RetryAfter = "1";
                await PlainText.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, $"not ready: {reason}\n");
                return;
            }

            await PlainText.WriteAsync(context, StatusCodes.Status200OK, "ready\n");
        });
        return routes;
    }
}

/// <summary>Something that must be true before this node takes traffic.</summary>
public interface IReadinessCheck
{
    bool IsReady(out string reason);
}
