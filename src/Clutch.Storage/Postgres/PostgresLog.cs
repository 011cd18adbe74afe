using Microsoft.Extensions.Logging;

namespace Clutch.Storage.Postgres;

internal static partial class PostgresLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Catalog {Catalog} migrated to schema version {Version}")]
    public static partial void Migrated(ILogger logger, string catalog, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Catalog {Catalog} cannot be reached: {Reason}")]
    public static partial void Unavailable(ILogger logger, string catalog, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change feed of {Catalog} lost its connection ({Reason}); reconnecting")]
    public static partial void FeedLost(ILogger logger, string catalog, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Change feed of {Catalog} reconnected; read {Count} change(s) made meanwhile")]
    public static partial void FeedBack(ILogger logger, string catalog, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "A handler of catalog changes failed for {Projects}")]
    public static partial void ChangedHandlerFailed(ILogger logger, Exception exception, string projects);
}
