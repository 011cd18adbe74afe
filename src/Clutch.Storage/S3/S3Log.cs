using Microsoft.Extensions.Logging;

namespace Clutch.Storage.S3;

internal static partial class S3Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not abort the multipart upload {UploadId} of {Key} in {Store}; S3 keeps its parts until a lifecycle rule (AbortIncompleteMultipartUpload) removes them")]
    public static partial void AbortFailed(ILogger logger, Exception exception, string store, string key, string uploadId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created bucket {Bucket} for {Store}")]
    public static partial void BucketCreated(ILogger logger, string bucket, string store);
}
