using Microsoft.Extensions.Logging;

namespace Clutch.Storage.S3;

internal static partial class S3Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Blob store {Store} cannot be reached: {Reason}")]
    public static partial void Unavailable(ILogger logger, string store, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Aborting the multipart upload of {Key} failed: {Reason}")]
    public static partial void AbortFailed(ILogger logger, string key, string reason);
}
