using System.Buffers;
using System.Text;
using Clutch.Packaging;
using Clutch.Storage;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Clutch.Upload;

/// <summary>
/// Reads a twine upload body with <see cref="MultipartReader"/>: form fields into memory (bounded),
/// the <c>content</c> file straight to a temp file while its digests are computed, so memory does
/// not grow with the file.
/// </summary>
public sealed class UploadFormReader(UploadTempFiles temp)
{
    /// <summary>All form fields together (a README in <c>description</c> can be large, but not this large).</summary>
    public const int MaxFieldBytes = 4 * 1024 * 1024;

    private const int ChunkSize = 256 * 1024;

    private const long WritebackBytes = 32L * 1024 * 1024;

    /// <summary>
    /// Reads the whole body. <paramref name="beforeContent"/> runs when the file part begins, with the
    /// fields sent before it (twine sends them first), so a refusal comes before the bytes are read.
    /// </summary>
    public async Task<UploadForm> ReadAsync(
        HttpRequest request, long maxFileBytes, Func<UploadForm, Task> beforeContent, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw UploadRejectedException.BadRequest("Expected a multipart/form-data body (as twine sends).");
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200)
        {
            throw UploadRejectedException.BadRequest("Bad multipart body: missing or overlong boundary.");
        }

        var form = new UploadForm();
        try
        {
            var reader = new MultipartReader(boundary, request.Body, ChunkSize);
            long fieldBytes = 0;
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(cancellationToken)) is not null)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    throw UploadRejectedException.BadRequest("Bad multipart body: a part has no form-data Content-Disposition.");
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (disposition.IsFileDisposition())
                {
                    if (name != "content")
                    {
                        // gpg_signature, attestations …: not kept; read past them.
                        await section.Body.CopyToAsync(Stream.Null, cancellationToken);
                        continue;
                    }

                    if (form.TempPath is not null)
                    {
                        throw UploadRejectedException.BadRequest("Bad multipart body: more than one 'content' file.");
                    }

                    form.Filename = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "";
                    await beforeContent(form);
                    form.TempPath = temp.NewPath();
                    var verifier = ZipStreamVerifier.Start(form.Filename, ArchiveLimits.Default);
                    await using (verifier)
                    {
                        form.Digests = await StreamToFileAsync(section.Body, form.TempPath, maxFileBytes, InlineDigests(form), verifier, cancellationToken);
                        form.ZipScan = verifier is null ? null : await verifier.CompleteAsync();
                    }

                    continue;
                }

                fieldBytes += await ReadFieldAsync(form, name, section.Body, MaxFieldBytes - fieldBytes, cancellationToken);
            }

            return form;
        }
        catch (IOException ex) when (ex is not FileNotFoundException && !cancellationToken.IsCancellationRequested && IsMalformed(ex) && !StorageFull.Is(ex))
        {
            form.Dispose();
            throw UploadRejectedException.BadRequest("Bad multipart body: " + OneLine(ex.Message));
        }
        catch (InvalidDataException ex)
        {
            form.Dispose();
            throw UploadRejectedException.BadRequest("Bad multipart body: " + OneLine(ex.Message));
        }
        catch
        {
            form.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The digests computed while the file streams in: sha256 (pages and ETags need it at once) and
    /// whichever others the client sent before the file, so they can be checked before the upload is
    /// accepted. The rest are filled in after the upload is stored (<see cref="DigestBackfill"/>),
    /// which keeps md5 and blake2b off the critical path of a client that sends sha256 only.
    /// </summary>
    private static DigestKinds InlineDigests(UploadForm form) =>
        DigestKinds.Sha256
        | (form.Get("md5_digest") is null ? 0 : DigestKinds.Md5)
        | (form.Get("blake2_256_digest") is null ? 0 : DigestKinds.Blake2b256);

    /// <summary>
    /// Computes, from the temp file, a digest the client sent after the file part (so it was not
    /// computed while the file streamed in): every digest sent is checked before acceptance.
    /// </summary>
    public static async Task CompleteSentDigestsAsync(UploadForm form, CancellationToken cancellationToken)
    {
        if (form.TempPath is null || form.Digests is not { } digests)
        {
            return;
        }

        if ((form.Get("md5_digest") is not null && digests.Md5.Length == 0)
            || (form.Get("blake2_256_digest") is not null && digests.Blake2b256.Length == 0))
        {
            await using var file = new FileStream(form.TempPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            form.Digests = await DigestCalculator.ComputeAsync(file, cancellationToken);
        }
    }

    private static async Task<long> ReadFieldAsync(UploadForm form, string name, Stream body, long budget, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int n;
            while ((n = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + n > budget)
                {
                    throw new UploadRejectedException(StatusCodes.Status413RequestEntityTooLarge, $"Form fields are larger than {MaxFieldBytes} bytes.");
                }

                buffer.Write(chunk, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        form.Add(name, Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        return buffer.Length;
    }

    /// <summary>
    /// Copies the file part to <paramref name="path"/> (flushed to disk) while hashing it and, for a
    /// zip, while <paramref name="verifier"/> checks its members on another core (so a large wheel is
    /// not read again to check it). Two pooled buffers: while one chunk is hashed and written, the
    /// next is read from the socket, so memory stays at two chunks whatever the file size (the
    /// verifier reads the chunk where it lies and keeps none of it). Every <see cref="WritebackBytes"/> a flush to disk
    /// starts in the background, so the disk writes while the rest arrives and the final flush has
    /// little left to do.
    /// </summary>
    private static async Task<FileDigests> StreamToFileAsync(
        Stream body, string path, long maxBytes, DigestKinds kinds, ZipStreamVerifier? verifier, CancellationToken cancellationToken)
    {
        using var digests = new DigestCalculator(kinds);
        var current = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var next = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            await using var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0, // our chunks are large already
                Options = FileOptions.Asynchronous,
            });
            long size = 0;
            long flushedAt = 0;
            Task writeback = Task.CompletedTask;
            var n = await ReadChunkAsync(body, current, cancellationToken);
            try
            {
                while (n > 0)
                {
                    size += n;
                    if (size > maxBytes)
                    {
                        throw new UploadRejectedException(StatusCodes.Status413RequestEntityTooLarge, $"File is larger than the limit of {maxBytes} bytes.");
                    }

                    var chunk = current;
                    var count = n;
                    var hash = Task.Run(() => digests.Append(chunk, 0, count), cancellationToken);
                    var write = file.WriteAsync(chunk.AsMemory(0, count), cancellationToken).AsTask();

                    // The verifier checks the chunk on its own pool thread, like the hash; both end before the buffer is reused.
                    var verify = verifier is null ? Task.CompletedTask : verifier.WriteAsync(chunk.AsMemory(0, count), cancellationToken).AsTask();
                    try
                    {
                        n = await ReadChunkAsync(body, next, cancellationToken);
                    }
                    finally
                    {
                        // Never leave a hash or write running on a buffer that goes back to the pool.
                        await Task.WhenAll(hash, write, verify).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    }

                    await hash;
                    await write;
                    await verify;
                    (current, next) = (next, current);
                    if (size - flushedAt >= WritebackBytes && writeback.IsCompleted)
                    {
                        await writeback; // surfaces a failed flush
                        flushedAt = size;
                        var handle = file.SafeFileHandle;
                        writeback = Task.Run(() => RandomAccess.FlushToDisk(handle), CancellationToken.None);
                    }
                }
            }
            finally
            {
                // The background flush uses the file's handle: it must end before the file is closed.
                await writeback.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await writeback;
            file.Flush(flushToDisk: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(next);
        }

        return digests.Finish();
    }

    /// <summary>Fills as much of <paramref name="buffer"/> as the body gives in one go (at least one read).</summary>
    private static async Task<int> ReadChunkAsync(Stream body, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < ChunkSize)
        {
            var n = await body.ReadAsync(buffer.AsMemory(filled, ChunkSize - filled), cancellationToken);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return filled;
    }

    // MultipartReader reports a truncated or malformed body as IOException; a dropped connection is
    // an IOException too but with a cancelled request, which the caller sees as cancellation.
    private static bool IsMalformed(IOException ex) => ex.GetType() == typeof(IOException);

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").TrimEnd('.') + ".";
}
