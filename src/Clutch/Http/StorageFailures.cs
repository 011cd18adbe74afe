using Clutch.Storage;

namespace Clutch.Http;

/// <summary>
/// A store that cannot be reached (PostgreSQL restarting, S3 unreachable) answers 503 with
/// Retry-After on every URL, in one line, instead of a 500: pages already rendered are still
/// served from the page cache (they never reach a store), everything else asks the client to come
/// back. The node needs no restart: the next request tries the store again.
/// </summary>
public sealed partial class StorageFailures(RequestDelegate next, ILogger<StorageFailures> logger)
{
    public const string RetryAfterSeconds = "5";

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (StorageUnavailableException ex) when (!context.Response.HasStarted)
        {
            LogUnavailable(logger, context.Request.Path.Value ?? "", ex.Message);
            context.Response.Clear();
            context.Response.Headers.RetryAfter = RetryAfterSeconds;
            await PlainText.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Storage unavailable, try again shortly: " + ex.Message + "\n");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path}: 503, storage unavailable: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string path, string reason);
}
