using System.Buffers;
using Amazon.S3.Model;

namespace Clutch.Storage.S3;

// Create-only writes, conditional (If-None-Match: * on PutObject and CompleteMultipartUpload) so that
// of racing writers exactly one stores; the others are told SameBytes or Conflict from the sha256
// recorded on the stored object. A blob of known length up to the multipart threshold is one PUT
// streamed straight from its content; a larger one is checked with a HEAD first (an "already there"
// costs no upload) and goes through at most two part buffers: never held whole in memory.
public sealed partial class S3BlobStore
{
    private const string ContentType = "application/octet-stream";
    private const int ConditionalConflictAttempts = 3;
    private static readonly TimeSpan AbortTimeout = TimeSpan.FromSeconds(30);

    public async Task<BlobPutResult> PutAsync(string key, Stream content, string sha256, CancellationToken cancellationToken)
    {
        var objectKey = ObjectKey(key);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrWhiteSpace(sha256);
        sha256 = sha256.ToLowerInvariant();
        bool stored;
        if (RemainingLength(content) is { } length && length <= _options.MultipartThreshold)
        {
            // One request: the conditional PUT itself tells a free key from a taken one.
            stored = await PutSingleAsync(objectKey, content, length, sha256, cancellationToken);
        }
        else
        {
            // A large or unsized blob is not sent for nothing when the key is already taken.
            if (await HeadAsync(objectKey, cancellationToken) is { } existing)
            {
                return await CompareAsync(objectKey, existing, sha256, cancellationToken);
            }

            stored = await PutBufferedAsync(objectKey, content, sha256, cancellationToken);
        }

        return stored ? BlobPutResult.Stored : await CompareAsync(objectKey, await HeadAsync(objectKey, cancellationToken), sha256, cancellationToken);
    }

    /// <summary>One conditional PUT of <paramref name="length"/> bytes from the stream's position; false when the key is taken.</summary>
    private async Task<bool> PutSingleAsync(string objectKey, Stream body, long length, string sha256, CancellationToken cancellationToken)
    {
        var start = body.Position;
        for (var attempt = 1; ; attempt++)
        {
            var request = new PutObjectRequest
            {
                BucketName = _options.Bucket,
                Key = objectKey,
                InputStream = body,
                AutoCloseStream = false,
                AutoResetStreamPosition = false,
                IfNoneMatch = "*",
                ContentType = ContentType,
            };
            request.Headers.ContentLength = length;
            request.Metadata.Add(Sha256Metadata, sha256);
            try
            {
                await CallAsync("storing", objectKey, t => _client.PutObjectAsync(request, t), cancellationToken);
                return true;
            }
            catch (Exception e) when (S3Errors.IsKeyTaken(e))
            {
                return false;
            }
            catch (Exception e) when (S3Errors.IsConditionalConflict(e))
            {
                // Another conditional write on this key was in flight. Done: it decides; failed: try again.
                if (await HeadAsync(objectKey, cancellationToken) is not null)
                {
                    return false;
                }

                if (attempt == ConditionalConflictAttempts)
                {
                    throw S3Errors.Unavailable(Description, "storing " + objectKey, e);
                }

                body.Position = start;
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken);
            }
        }
    }

    /// <summary>Content of unknown or large size: one PUT when it fits in a part, else a multipart upload.</summary>
    private async Task<bool> PutBufferedAsync(string objectKey, Stream content, string sha256, CancellationToken cancellationToken)
    {
        var partSize = _options.PartSize;
        var first = ArrayPool<byte>.Shared.Rent(partSize);
        byte[]? second = null;
        try
        {
            var filled = await content.ReadAtLeastAsync(first.AsMemory(0, partSize), partSize, throwOnEndOfStream: false, cancellationToken);
            if (filled < partSize)
            {
                using var small = new MemoryStream(first, 0, filled, writable: false);
                return await PutSingleAsync(objectKey, small, filled, sha256, cancellationToken);
            }

            second = ArrayPool<byte>.Shared.Rent(partSize);
            return await PutMultipartAsync(objectKey, content, first, second, sha256, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(first);
            if (second is not null)
            {
                ArrayPool<byte>.Shared.Return(second);
            }
        }
    }

    /// <summary>
    /// A multipart upload whose first part is already in <paramref name="current"/>: each part is sent
    /// while the next is read into the other buffer. The object appears only when the upload completes;
    /// on any failure or cancellation the upload is aborted, leaving no object and no stored parts.
    /// </summary>
    private async Task<bool> PutMultipartAsync(string objectKey, Stream content, byte[] current, byte[] next, string sha256, CancellationToken cancellationToken)
    {
        var initiate = new InitiateMultipartUploadRequest { BucketName = _options.Bucket, Key = objectKey, ContentType = ContentType };
        initiate.Metadata.Add(Sha256Metadata, sha256);
        var uploadId = (await CallAsync("starting an upload of", objectKey, t => _client.InitiateMultipartUploadAsync(initiate, t), cancellationToken)).UploadId;
        var completed = false;
        try
        {
            var parts = new List<PartETag>();
            var partSize = _options.PartSize;
            var filled = partSize;
            for (var number = 1; filled > 0; number++)
            {
                var upload = UploadPartAsync(objectKey, uploadId, number, current, filled, cancellationToken);
                int nextFilled;
                try
                {
                    nextFilled = filled == partSize ? await content.ReadAtLeastAsync(next.AsMemory(0, partSize), partSize, throwOnEndOfStream: false, cancellationToken) : 0;
                }
                catch
                {
                    // The part in flight still reads its buffer: let it end before the buffers go back to the pool.
                    // Its own failure, if any, adds nothing to the one being thrown.
                    try
                    {
                        await upload;
                    }
                    catch
                    {
                        // see above
                    }

                    throw;
                }

                parts.Add(await upload);
                (current, next) = (next, current);
                filled = nextFilled;
            }

            var complete = new CompleteMultipartUploadRequest { BucketName = _options.Bucket, Key = objectKey, UploadId = uploadId, PartETags = parts, IfNoneMatch = "*" };
            try
            {
                await CallAsync("completing the upload of", objectKey, t => _client.CompleteMultipartUploadAsync(complete, t), cancellationToken);
                completed = true;
                return true;
            }
            catch (Exception e) when (S3Errors.IsKeyTaken(e))
            {
                return false;
            }
            catch (Exception e) when (S3Errors.IsConditionalConflict(e))
            {
                // AWS wants the whole upload redone after this 409, which a stream read once cannot do:
                // unless the racing write has finished (then it decides), the caller retries later.
                return await HeadAsync(objectKey, cancellationToken) is null ? throw S3Errors.Unavailable(Description, "completing the upload of " + objectKey, e) : false;
            }
        }
        finally
        {
            if (!completed)
            {
                await AbortAsync(objectKey, uploadId);
            }
        }
    }

    private async Task<PartETag> UploadPartAsync(string objectKey, string uploadId, int number, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(buffer, 0, length, writable: false);
        var request = new UploadPartRequest { BucketName = _options.Bucket, Key = objectKey, UploadId = uploadId, PartNumber = number, InputStream = body, PartSize = length };
        var response = await CallAsync("uploading a part of", objectKey, t => _client.UploadPartAsync(request, t), cancellationToken);
        return new PartETag(number, response.ETag);
    }

    /// <summary>Aborts an unfinished multipart upload so that S3 drops its parts; whatever the caller's token says.</summary>
    private async Task AbortAsync(string objectKey, string uploadId)
    {
        using var timeout = new CancellationTokenSource(AbortTimeout);
        try
        {
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _options.Bucket, Key = objectKey, UploadId = uploadId }, timeout.Token);
        }
        catch (Exception e)
        {
            S3Log.AbortFailed(_logger, e, Description, objectKey, uploadId);
        }
    }

    /// <summary>What a refused write found under the key: the same bytes or others (absent again: a conflict, as the folder store says).</summary>
    private async Task<BlobPutResult> CompareAsync(string objectKey, GetObjectMetadataResponse? existing, string sha256, CancellationToken cancellationToken)
    {
        if (existing is null)
        {
            return BlobPutResult.Conflict;
        }

        var stored = existing.Metadata[Sha256Metadata];
        if (string.IsNullOrEmpty(stored))
        {
            // Not written by Clutch (copied in by hand): hash the stored bytes.
            var key = objectKey[_options.Prefix.Length..];
            try
            {
                await using var body = await OpenReadAsync(key, cancellationToken);
                stored = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(body, cancellationToken));
            }
            catch (FileNotFoundException)
            {
                return BlobPutResult.Conflict;
            }
        }

        return string.Equals(stored, sha256, StringComparison.OrdinalIgnoreCase) ? BlobPutResult.SameBytes : BlobPutResult.Conflict;
    }

    private static long? RemainingLength(Stream content)
    {
        try
        {
            return content.CanSeek ? content.Length - content.Position : null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>One S3 request, its failure to reach S3 turned into <see cref="StorageUnavailableException"/>.</summary>
    private async Task<T> CallAsync<T>(string doing, string objectKey, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(cancellationToken);
        }
        catch (Exception e) when (S3Errors.IsUnavailable(e, cancellationToken))
        {
            throw S3Errors.Unavailable(Description, $"{doing} {objectKey}", e);
        }
    }
}
