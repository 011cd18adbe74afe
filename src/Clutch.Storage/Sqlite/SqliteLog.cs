using Microsoft.Extensions.Logging;

namespace Clutch.Storage.Sqlite;

internal static partial class SqliteLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Catalog {DatabasePath} migrated to schema version {Version}")]
    public static partial void Migrated(ILogger logger, string databasePath, int version);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "A catalog Changed handler failed for projects {Projects}")]
    public static partial void ChangedHandlerFailed(ILogger logger, Exception exception, string projects);
}
