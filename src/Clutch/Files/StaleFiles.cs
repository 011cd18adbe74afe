using Clutch.Storage.Folder;

namespace Clutch.Files;

/// <summary>
/// What a download answers when the file on disk is not the one the catalog lists (replaced, gone,
/// unreadable): never those bytes, a 503 with <c>Retry-After</c> and one line, and the folder
/// indexer asked to look at the file again (re-hash it, or drop it from the listing). Logged once per
/// file until the indexer has looked, not once per request.
/// </summary>
public sealed partial class StaleFiles(IndexerHints hints, ILogger<StaleFiles> logger)
{
    /// <summary>The file's identity (size, inode, ctime) differs from the listing's, or it is gone.</summary>
    public IResult Changed(HttpContext context, string key)
    {
        if (hints.Recheck(key))
        {
            LogChanged(logger, key);
        }

        return Answer(context, $"File '{key}' changed on disk and is being re-indexed.\n");
    }

    /// <summary>The file is listed but this process cannot read it (permissions, a folder in its place …).</summary>
    public IResult Unreadable(HttpContext context, string key, Exception exception)
    {
        if (hints.Recheck(key))
        {
            LogUnreadable(logger, key, exception.GetType().Name, exception.Message);
        }

        return Answer(context, $"File '{key}' cannot be read by the server; it is being checked again.\n");
    }

    private static IResult Answer(HttpContext context, string message)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.RetryAfter = "1";
        return TypedResults.Text(message, "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "{Key} changed on disk since it was indexed; not served until it is re-indexed")]
    private static partial void LogChanged(ILogger logger, string key);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "{Key} is listed but cannot be read ({Error}: {Reason}); not served, checking it again")]
    private static partial void LogUnreadable(ILogger logger, string key, string error, string reason);
}
