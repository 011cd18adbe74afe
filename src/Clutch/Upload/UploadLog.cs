namespace Clutch.Upload;

internal static partial class UploadLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Uploaded {Path} (sha256 {Sha256}) by {User}")]
    public static partial void Stored(ILogger logger, string path, string sha256, string user);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Upload of {Filename} by {User} refused ({Status}): {Reason}")]
    public static partial void Refused(ILogger logger, string filename, string user, int status, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Upload of {Path} failed and its stored bytes are kept: the catalog cannot say whether it lists them ({Reason})")]
    public static partial void UndoSkipped(ILogger logger, string path, string reason);
}
