using System.Threading.Channels;
using Clutch.Packaging;
using Clutch.Storage;

namespace Clutch.Upload;

/// <summary>
/// Fills in the md5 and blake2b-256 of files stored without them: an upload computes, while it
/// streams in, sha256 and only the digests its client sent (those must be checked before the
/// upload is accepted), so a client that sends sha256 alone is answered without paying for two
/// more hashes. The JSON API lists the others once this has read the stored file again, moments
/// later. Files left without them by a previous run are picked up at start.
/// </summary>
public sealed partial class DigestBackfill(ICatalog catalog, IBlobStore blobs, ILeases leases, ILogger<DigestBackfill> logger) : BackgroundService
{
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Queues a stored file whose digests are incomplete.</summary>
    public void Enqueue(string path) => _queue.Writer.TryWrite(path);

    /// <summary>Computes and records the missing digests of one file; false when there was nothing to do.</summary>
    public async Task<bool> FillAsync(string path, CancellationToken cancellationToken)
    {
        var filename = path[(path.LastIndexOf('/') + 1)..];
        if (await catalog.FindFileAsync(filename, cancellationToken) is not { } file || file.Path != path || file.HasAllDigests)
        {
            return false;
        }

        FileDigests digests;
        try
        {
            await using var stream = await blobs.OpenReadAsync(path, cancellationToken);
            digests = await DigestCalculator.ComputeAsync(stream, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return false;
        }

        // Other bytes under the same path: the indexer re-hashes and records those; record nothing here.
        return digests.Sha256 == file.Sha256
            && await catalog.FillDigestsAsync(path, file.Sha256, digests.Md5, digests.Blake2b256, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            // The pass over every file at start is one node's job (nodes sharing a catalog start
            // together); a file uploaded later is filled in by the node that took the upload.
            await using (var lease = await leases.TryAcquireAsync("digest-backfill", stoppingToken))
            {
                if (lease is not null)
                {
                    foreach (var path in await catalog.GetPathsMissingDigestsAsync(stoppingToken))
                    {
                        await FillOneAsync(path, stoppingToken);
                    }
                }
            }

            await foreach (var path in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                await FillOneAsync(path, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: whatever is left is picked up at the next start.
        }
    }

    private async Task FillOneAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await FillAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, path, e.Message);
        }
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Could not fill in the md5/blake2b digests of {Path}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string path, string reason);
}
