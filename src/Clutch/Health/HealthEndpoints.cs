using Clutch.Http;
using Clutch.Pages;

namespace Clutch.Health;

/// <summary>Liveness (the process answers) and readiness (the catalog answers and the first index pass is done).</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/health/live", [HttpMethods.Get, HttpMethods.Head], (HttpContext context) =>
            PlainText.WriteAsync(context, StatusCodes.Status200OK, "live\n"));
        routes.MapMethods("/health/ready", [HttpMethods.Get, HttpMethods.Head], async (HttpContext context, PageCache cache, IEnumerable<IReadinessCheck> checks) =>
        {
            await cache.GetRootAsync();
            foreach (var check in checks)
            {
                if (!check.IsReady(out var reason))
                {
                    context.Response.Headers.RetryAfter = "1";
                    await PlainText.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, $"not ready: {reason}\n");
                    return;
                }
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
