using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Clutch.Storage.S3;

/// <summary>
/// Blobs as objects in an S3 bucket (AWS or an S3-compatible server): a key is stored under
/// <see cref="S3BlobStoreOptions.Prefix"/> + key. Writes are create-only (conditional on the key
/// being free) and record the content's sha256 as object metadata (<c>x-amz-meta-sha256</c>), so a
/// refused write can tell the same bytes from a conflict without reading the object. Failures to
/// reach S3 surface as <see cref="StorageUnavailableException"/>.
/// </summary>
public sealed partial class S3BlobStore : IBlobStore, IDisposable
{
    /// <summary>The object metadata entry holding the content's sha256 (lowercase hex).</summary>
    public const string Sha256Metadata = "sha256";

    private readonly S3BlobStoreOptions _options;
    private readonly IAmazonS3 _client;
    private readonly ILogger _logger;

    public S3BlobStore(S3BlobStoreOptions options, ILogger<S3BlobStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PartSize < S3BlobStoreOptions.MinimumPartSize || options.MultipartThreshold < options.PartSize)
        {
            throw new ArgumentException($"S3 part size {options.PartSize} must be at least {S3BlobStoreOptions.MinimumPartSize} and at most the multipart threshold {options.MultipartThreshold}.", nameof(options));
        }

        _options = options;
        _client = CreateClient(options);
        _logger = logger ?? NullLogger<S3BlobStore>.Instance;
        Description = options.ServiceUrl is null ? options.Url : $"{options.Url} at {options.ServiceUrl}";
    }

    public string Description { get; }

    /// <summary>A client for the options' endpoint; credentials and region from the SDK's usual chain.</summary>
    internal static AmazonS3Client CreateClient(S3BlobStoreOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.PathStyle,
            // No flexible checksums (aws-chunked trailers) unless S3 requires them: S3-compatible servers differ in support.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        if (options.ServiceUrl is not null)
        {
            config.ServiceURL = options.ServiceUrl.ToString();
        }

        try
        {
            return new AmazonS3Client(config);
        }
        catch (AmazonClientException e) when (options.ServiceUrl is null)
        {
            // The SDK found no region in its usual places: say which, in the terms of this program.
            throw new ArgumentException(
                $"--blobs {options.Url} needs an AWS region: set AWS_REGION (or a region in ~/.aws/config), or give --s3-endpoint URL for an S3-compatible server ({e.Message}).", e);
        }
    }

    public async Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(ObjectKey(key), cancellationToken);
        return head is null ? null : new BlobInfo(key, head.ContentLength, new DateTimeOffset(head.LastModified ?? DateTime.UnixEpoch, TimeSpan.Zero));
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var objectKey = ObjectKey(key);
        try
        {
            var response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = _options.Bucket, Key = objectKey }, cancellationToken);
            return new S3ReadStream(response, (offset, etag, ct) => OpenFromAsync(key, offset, etag, ct));
        }
        catch (Exception e) when (S3Errors.IsNotFound(e))
        {
            throw new FileNotFoundException($"Blob '{key}' does not exist in {Description}.", key, e);
        }
        catch (Exception e) when (S3Errors.IsUnavailable(e, cancellationToken))
        {
            throw S3Errors.Unavailable(Description, "reading " + key, e);
        }
    }

    /// <summary>A GET of <paramref name="key"/> from <paramref name="offset"/> to its end, only while its ETag is <paramref name="etag"/>.</summary>
    private async Task<GetObjectResponse> OpenFromAsync(string key, long offset, string etag, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.GetObjectAsync(
                new GetObjectRequest { BucketName = _options.Bucket, Key = ObjectKey(key), ByteRange = new ByteRange($"bytes={offset}-"), EtagToMatch = etag },
                cancellationToken);
        }
        catch (Exception e) when (S3Errors.IsNotFound(e) || e is AmazonS3Exception { StatusCode: System.Net.HttpStatusCode.PreconditionFailed })
        {
            throw new IOException($"Blob '{key}' changed or went away in {Description} while it was read.", e);
        }
        catch (Exception e) when (S3Errors.IsUnavailable(e, cancellationToken))
        {
            throw S3Errors.Unavailable(Description, "reading " + key, e);
        }
    }

    public BlobDownload GetDownload(string key)
    {
        var objectKey = ObjectKey(key);
        if (!_options.RedirectDownloads)
        {
            return BlobDownload.Streamed;
        }

        // Presigning is local computation (a signature over the URL with the resolved credentials).
        var url = _client.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = _options.Bucket,
            Key = objectKey,
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow + _options.RedirectLifetime,
            Protocol = _options.ServiceUrl?.Scheme == Uri.UriSchemeHttp ? Protocol.HTTP : Protocol.HTTPS,
        });
        return BlobDownload.RedirectTo(new Uri(url));
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var objectKey = ObjectKey(key);
        try
        {
            // S3 answers 204 whether or not the key existed.
            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _options.Bucket, Key = objectKey }, cancellationToken);
        }
        catch (Exception e) when (S3Errors.IsUnavailable(e, cancellationToken))
        {
            throw S3Errors.Unavailable(Description, "deleting " + key, e);
        }
    }

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CheckTimeout);
        try
        {
            await _client.HeadBucketAsync(new HeadBucketRequest { BucketName = _options.Bucket }, timeout.Token);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"S3 {Description} did not answer within {_options.CheckTimeout.TotalSeconds:0.#} s";
        }
        catch (Exception e) when (S3Errors.IsNotFound(e))
        {
            return $"S3 {Description}: bucket '{_options.Bucket}' does not exist";
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException)
        {
            return $"S3 {Description} cannot be reached: {e.Message}";
        }
    }

    /// <summary>Creates the bucket unless it exists (for a first start against an empty S3-compatible server).</summary>
    public async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        try
        {
            try
            {
                await _client.HeadBucketAsync(new HeadBucketRequest { BucketName = _options.Bucket }, cancellationToken);
                return;
            }
            catch (Exception e) when (S3Errors.IsNotFound(e))
            {
                // create it below
            }

            await _client.PutBucketAsync(new PutBucketRequest { BucketName = _options.Bucket, UseClientRegion = true }, cancellationToken);
            S3Log.BucketCreated(_logger, _options.Bucket, Description);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou")
        {
            // created meanwhile by another node
        }
        catch (Exception e) when (S3Errors.IsUnavailable(e, cancellationToken))
        {
            throw S3Errors.Unavailable(Description, "creating the bucket", e);
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The object key of a blob key, refusing keys no store accepts.</summary>
    private string ObjectKey(string key)
    {
        BlobKeys.Validate(key);
        return _options.Prefix + key;
    }

    /// <summary>HEAD of an object, or null when absent.</summary>
    private async Task<GetObjectMetadataResponse?> HeadAsync(string objectKey, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _options.Bucket, Key = objectKey }, cancellationToken);
        }
        catch (Exception e) when (S3Errors.IsNotFound(e))
        {
            return null;
        }
        catch (Exception e) when (S3Errors.IsUnavailable(e, cancellationToken))
        {
            throw S3Errors.Unavailable(Description, "reading the metadata of " + objectKey[_options.Prefix.Length..], e);
        }
    }
}
