using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace Clutch.Storage.S3;

/// <summary>Sorts the AWS SDK's failures: "not there", "key taken", and "S3 cannot be reached right now".</summary>
internal static class S3Errors
{
    /// <summary>A 404 from S3 (no such key; for HEAD, also no such bucket).</summary>
    public static bool IsNotFound(Exception e) => e is AmazonS3Exception { StatusCode: HttpStatusCode.NotFound };

    /// <summary>A conditional write (<c>If-None-Match: *</c>) refused because the key exists.</summary>
    public static bool IsKeyTaken(Exception e) => e is AmazonS3Exception { StatusCode: HttpStatusCode.PreconditionFailed };

    /// <summary>Another conditional write on the same key was in flight (AWS answers 409 ConditionalRequestConflict); retry.</summary>
    public static bool IsConditionalConflict(Exception e) =>
        e is AmazonS3Exception { StatusCode: HttpStatusCode.Conflict, ErrorCode: "ConditionalRequestConflict" };

    /// <summary>
    /// Connection refused or reset, a timeout, a 5xx (including 503 SlowDown): S3 may answer later.
    /// A cancellation asked for by <paramref name="cancellationToken"/> is not one.
    /// </summary>
    public static bool IsUnavailable(Exception e, CancellationToken cancellationToken)
    {
        if (e is StorageUnavailableException)
        {
            return false; // already sorted
        }

        if (e is OperationCanceledException)
        {
            return !cancellationToken.IsCancellationRequested; // the SDK's or HttpClient's timeout
        }

        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case AmazonServiceException { StatusCode: >= HttpStatusCode.InternalServerError }:
                case HttpRequestException:
                case SocketException:
                case TimeoutException:
                    return true;
                case AmazonServiceException:
                    return false; // S3 answered: a 4xx is a real answer, not an outage
            }
        }

        return false;
    }

    /// <summary>The <see cref="StorageUnavailableException"/> for a failure to reach <paramref name="store"/>.</summary>
    public static StorageUnavailableException Unavailable(string store, string doing, Exception e) =>
        new($"S3 {store} cannot be reached ({doing}): {e.Message}", e);
}
