using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Clutch.Storage.S3;

/// <summary>
/// Blobs in an S3 bucket (AWS, or any S3-compatible server), under a key prefix. Writes are
/// create-only: the object is written with <c>If-None-Match: *</c>, so of racing writers exactly one
/// stores a key, and the sha256 travels as object metadata so a taken key can be compared. Bytes
/// stream through a bounded buffer (one request up to <see cref="S3BlobStoreOptions.PartSize"/>, a
/// multipart upload beyond), never held whole in memory, and become visible only once complete; a
/// failed multipart upload is aborted. An endpoint that cannot be reached surfaces as
/// <see cref="StorageUnavailableException"/>.
/// </summary>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    private const string ShaMetadata = "sha256";
    private readonly AmazonS3Client _client;
    private readonly S3BlobStoreOptions _options;
    private readonly ILogger<S3BlobStore> _logger;

    public S3BlobStore(S3BlobStoreOptions options, ILogger<S3BlobStore>? logger = null)
    {
        _options = options;
        _logger = logger ?? NullLogger<S3BlobStore>.Instance;
        var config = new AmazonS3Config
        {
            // Checksums only where S3 requires them: S3-compatible servers differ in the trailers they accept.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 2,
            Timeout = TimeSpan.FromSeconds(60),
        };
        if (options.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.AbsoluteUri;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? "us-east-1";
        }

        _client = new AmazonS3Client(config);
    }

    public string Description => _options.Description;

    /// <summary>Creates the bucket when it does not exist (a fresh MinIO or test server).</summary>
    public async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        await GuardAsync(async () =>
        {
            try
            {
                await _client.PutBucketAsync(new PutBucketRequest { BucketName = _options.Bucket }, cancellationToken);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
            {
                // there already
            }

            return true;
        });
    }

    public Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            var head = await HeadAsync(key, cancellationToken);
            return head is null ? null : new BlobInfo(key, head.ContentLength, head.LastModified is { } at ? new DateTimeOffset(at.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.UnixEpoch);
        });

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        GuardAsync<Stream>(async () =>
        {
            try
            {
                var response = await _client.GetObjectAsync(_options.Bucket, ObjectKey(key), cancellationToken);
                return new ResponseStream(response);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                throw new FileNotFoundException($"Blob '{key}' does not exist in {Description}.", key);
            }
        });

    public BlobDownload GetDownload(string key)
    {
        if (!_options.Redirect)
        {
            return BlobDownload.Streamed;
        }

        var url = _client.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = _options.Bucket,
            Key = ObjectKey(key),
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow + _options.RedirectLifetime,
            Protocol = _options.Endpoint?.Scheme == "http" ? Protocol.HTTP : Protocol.HTTPS,
        });
        return BlobDownload.RedirectTo(new Uri(url));
    }

    public Task<BlobPutResult> PutAsync(string key, Stream content, string sha256, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            if (await HeadAsync(key, cancellationToken) is { } existing)
            {
                return Compare(existing, sha256);
            }

            var objectKey = ObjectKey(key);
            var first = new byte[_options.PartSize];
            var length = await FillAsync(content, first, cancellationToken);
            bool stored;
            if (length < first.Length)
            {
                stored = await PutSmallAsync(objectKey, first, length, sha256, cancellationToken);
            }
            else
            {
                stored = await PutMultipartAsync(objectKey, content, first, sha256, cancellationToken);
            }

            return stored ? BlobPutResult.Stored : Compare(await HeadAsync(key, cancellationToken), sha256);
        });

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            await _client.DeleteObjectAsync(_options.Bucket, ObjectKey(key), cancellationToken);
            return true;
        });

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _options.Bucket, MaxKeys = 1, Prefix = _options.Prefix }, timeout.Token);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"{Description} did not answer within 3 s";
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException or SocketException or IOException)
        {
            return $"{Description} cannot be reached: {e.Message.ReplaceLineEndings(" ")}";
        }
    }

    public void Dispose() => _client.Dispose();

    private string ObjectKey(string key)
    {
        if (key.Length == 0 || key.StartsWith('/') || key.Split('/').Any(s => s is "" or "." or ".."))
        {
            throw new ArgumentException($"Invalid blob key '{key}'.", nameof(key));
        }

        return _options.Prefix.Length == 0 ? key : _options.Prefix + "/" + key;
    }

    private async Task<GetObjectMetadataResponse?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.GetObjectMetadataAsync(_options.Bucket, ObjectKey(key), cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static BlobPutResult Compare(GetObjectMetadataResponse? existing, string sha256) =>
        existing is not null && string.Equals(existing.Metadata[ShaMetadata], sha256, StringComparison.OrdinalIgnoreCase)
            ? BlobPutResult.SameBytes
            : BlobPutResult.Conflict;

    /// <summary>One conditional PUT; false when the key was taken meanwhile.</summary>
    private async Task<bool> PutSmallAsync(string objectKey, byte[] buffer, int length, string sha256, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(buffer, 0, length, writable: false);
        var request = new PutObjectRequest
        {
            BucketName = _options.Bucket,
            Key = objectKey,
            InputStream = body,
            AutoCloseStream = false,
            IfNoneMatch = "*",
            ContentType = "application/octet-stream",
        };
        request.Metadata[ShaMetadata] = sha256;
        try
        {
            await _client.PutObjectAsync(request, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception e) when (IsTaken(e))
        {
            return false;
        }
    }

    /// <summary>A multipart upload in parts of the buffer's size, aborted on any failure; false when the key was taken meanwhile.</summary>
    private async Task<bool> PutMultipartAsync(string objectKey, Stream content, byte[] buffer, string sha256, CancellationToken cancellationToken)
    {
        var start = new InitiateMultipartUploadRequest { BucketName = _options.Bucket, Key = objectKey, ContentType = "application/octet-stream" };
        start.Metadata[ShaMetadata] = sha256;
        var upload = await _client.InitiateMultipartUploadAsync(start, cancellationToken);
        var completed = false;
        try
        {
            var parts = new List<PartETag>();
            var length = buffer.Length; // the first part was read by the caller
            for (var number = 1; length > 0; number++)
            {
                using (var body = new MemoryStream(buffer, 0, length, writable: false))
                {
                    var part = await _client.UploadPartAsync(new UploadPartRequest
                    {
                        BucketName = _options.Bucket,
                        Key = objectKey,
                        UploadId = upload.UploadId,
                        PartNumber = number,
                        InputStream = body,
                        PartSize = length,
                    }, cancellationToken);
                    parts.Add(new PartETag(number, part.ETag));
                }

                length = await FillAsync(content, buffer, cancellationToken);
            }

            try
            {
                await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                {
                    BucketName = _options.Bucket,
                    Key = objectKey,
                    UploadId = upload.UploadId,
                    PartETags = parts,
                    IfNoneMatch = "*",
                }, cancellationToken);
                completed = true;
                return true;
            }
            catch (AmazonS3Exception e) when (IsTaken(e))
            {
                return false;
            }
        }
        finally
        {
            if (!completed)
            {
                await AbortAsync(objectKey, upload.UploadId);
            }
        }
    }

    private async Task AbortAsync(string objectKey, string uploadId)
    {
        try
        {
            await _client.AbortMultipartUploadAsync(_options.Bucket, objectKey, uploadId, CancellationToken.None);
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException or IOException)
        {
            // Unfinished parts are invisible; a bucket lifecycle rule for incomplete uploads removes them.
            S3Log.AbortFailed(_logger, objectKey, e.Message);
        }
    }

    private static bool IsTaken(AmazonS3Exception e) =>
        e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict;

    /// <summary>Reads until the buffer is full or the stream ends; how many bytes were read.</summary>
    private static async Task<int> FillAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await content.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    private async Task<T> GuardAsync<T>(Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            S3Log.Unavailable(_logger, Description, e.Message);
            throw new StorageUnavailableException($"the blob store {Description} cannot be reached ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }

    private static bool IsUnavailable(Exception e) => e switch
    {
        AmazonServiceException service when service.StatusCode != 0 => (int)service.StatusCode >= 500,
        AmazonClientException or HttpRequestException or SocketException => true,
        IOException io => io.InnerException is SocketException,
        _ => false,
    };

    /// <summary>The body of a GET, disposing the response with it.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _body = response.ResponseStream;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => response.ContentLength;

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _body.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _body.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _body.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _body.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
