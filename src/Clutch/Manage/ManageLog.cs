namespace Clutch.Manage;

internal static partial class ManageLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Yanked {Filename} by {Actor}: {Reason}")]
    public static partial void Yanked(ILogger logger, string filename, string actor, string? reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Unyanked {Filename} by {Actor}")]
    public static partial void Unyanked(ILogger logger, string filename, string actor);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Deleted {Path} by {Actor}: {Reason}")]
    public static partial void Deleted(ILogger logger, string path, string actor, string? reason);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Retention of project {Project} failed: {Message}")]
    public static partial void RetentionFailed(ILogger logger, string project, string message);
}
