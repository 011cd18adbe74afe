using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Threading.Channels;
using Clutch.Packaging;

namespace Clutch.Storage.Folder;

public sealed partial class FolderIndexer
{
    private static readonly TimeSpan MaxBatchAge = TimeSpan.FromMilliseconds(500);

    /// <summary>Files up to this size are read once into memory for both hashing and inspection.</summary>
    private const int WholeReadLimit = 1024 * 1024;

    /// <summary>
    /// Hashes and inspects candidates in parallel and upserts them in batches. Each file indexed is
    /// logged at Information when <paramref name="watched"/> (the watcher's few files) or when it
    /// replaced the file recorded at its path (a hand change); a bulk import logs them at Debug.
    /// </summary>
    private async Task<(int Indexed, List<string> Deferred)> IndexCandidatesAsync(
        List<Candidate> candidates, IProgress<IndexProgress>? progress, int seen, bool watched, CancellationToken cancellationToken)
    {
        var deferred = new ConcurrentQueue<string>();
        if (candidates.Count == 0)
        {
            return (0, []);
        }

        var told = new Dictionary<string, bool>(StringComparer.Ordinal); // path → it replaced a recorded file there
        foreach (var candidate in candidates)
        {
            var inPlace = candidate.Previous?.Path == candidate.Path;
            if (watched || inPlace)
            {
                told[candidate.Path] = inPlace;
            }
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<CatalogFile>(new BoundedChannelOptions(Math.Max(1, _options.BatchSize) * 2)
        {
            SingleReader = true,
        });
        var hashed = 0;
        var producer = Task.Run(async () =>
        {
            try
            {
                var parallel = new ParallelOptions
                {
                    MaxDegreeOfParallelism = Math.Max(1, _options.MaxParallelism),
                    CancellationToken = cancel.Token,
                };
                await Parallel.ForEachAsync(candidates, parallel, async (candidate, token) =>
                {
                    var (file, retry) = await IndexFileAsync(candidate, token);
                    if (file is not null)
                    {
                        await channel.Writer.WriteAsync(file, token);
                    }
                    else if (retry)
                    {
                        deferred.Enqueue(candidate.Path);
                    }

                    var done = Interlocked.Increment(ref hashed);
                    if (progress is not null && (done % 64 == 0 || done == candidates.Count))
                    {
                        progress.Report(new IndexProgress("hashing", seen, candidates.Count, done));
                    }
                });
                channel.Writer.Complete();
            }
            catch (Exception ex)
            {
                channel.Writer.Complete(ex);
            }
        }, CancellationToken.None);

        var indexed = 0;
        var batch = new List<CatalogFile>(_options.BatchSize);
        var batchAge = Stopwatch.StartNew();
        try
        {
            await foreach (var file in channel.Reader.ReadAllAsync(cancellationToken))
            {
                batch.Add(file);
                if (batch.Count >= _options.BatchSize || batchAge.Elapsed >= MaxBatchAge)
                {
                    indexed += await FlushAsync(batch, told, cancellationToken);
                    batchAge.Restart();
                }
            }

            indexed += await FlushAsync(batch, told, cancellationToken);
        }
        catch
        {
            await cancel.CancelAsync();
            throw;
        }
        finally
        {
            await producer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        return (indexed, deferred.ToList());
    }

    private async Task<int> FlushAsync(List<CatalogFile> batch, Dictionary<string, bool> told, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        // The batch's metadata files are durable and in place before any row that names them is committed.
        await _blobs.PublishStagedAsync(cancellationToken);
        await _bookkeeping.UpsertScannedFilesAsync(batch.ToArray(), cancellationToken);
        foreach (var file in batch)
        {
            if (!told.TryGetValue(file.Path, out var replaced))
            {
                FolderIndexerLog.Indexed(_logger, file.Path, file.Sha256);
            }
            else if (replaced)
            {
                FolderIndexerLog.Reindexed(_logger, file.Path, file.Sha256);
            }
            else
            {
                FolderIndexerLog.Added(_logger, file.Path, file.Sha256);
            }
        }

        var count = batch.Count;
        batch.Clear();
        return count;
    }

    /// <summary>
    /// Hashes and inspects one file. Returns no file, with retry set, when the file is still being
    /// written: its size or mtime moved while it was read, or it was modified too recently.
    /// </summary>
    private async Task<(CatalogFile? File, bool Retry)> IndexFileAsync(Candidate candidate, CancellationToken cancellationToken)
    {
        if (Stat(candidate.Path) is not { } before)
        {
            return (null, false);
        }

        var age = _time.GetUtcNow().UtcTicks - before.MtimeTicks;
        if (age >= 0 && age < _options.SettleTime.Ticks)
        {
            return (null, true);
        }

        if (_unsettled.TryGetValue(candidate.Path, out var waiting) && waiting == before && age >= 0 && age < _options.ArchiveQuietPeriod.Ticks)
        {
            return (null, true); // still the archive that did not open, not yet quiet for long enough: not read again
        }

        // A small file (most of a package folder) is read once, whole, into a pooled buffer: hashed and
        // inspected from memory. A large one is streamed twice (hash, then inspection).
        var whole = before.Size <= WholeReadLimit ? ArrayPool<byte>.Shared.Rent((int)before.Size + 1) : null;
        try
        {
            var length = 0;
            FileDigests digests;
            ZipLocalScan? zipScan = null;
            try
            {
                if (whole is not null)
                {
                    length = ReadWhole(candidate.Path, whole);
                    digests = DigestCalculator.Compute(whole.AsSpan(0, length));
                }
                else
                {
                    // A zip's members are checked (CRC-32, sizes) on the same read that hashes it.
                    var verifier = ZipStreamVerifier.Start(candidate.Name.Filename, ArchiveLimits.Default);
                    await using (verifier)
                    {
                        await using var stream = OpenRead(candidate.Path);
                        digests = await DigestCalculator.ComputeAsync(stream, verifier is null ? null : verifier.WriteAsync, cancellationToken);
                        zipScan = verifier is null ? null : await verifier.CompleteAsync();
                    }
                }

                Interlocked.Increment(ref _hashCount);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                return (null, false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                WarnOnce(candidate.Path, () => FolderIndexerLog.ReadFailed(_logger, candidate.Path, ex.Message)); // not every reconcile
                return (null, false);
            }

            if (Stat(candidate.Path) != before || digests.Size != before.Size)
            {
                FolderIndexerLog.StillChanging(_logger, candidate.Path);
                return (null, true);
            }

            var previous = candidate.Previous is { } p && p.Sha256 == digests.Sha256 ? p : null;
            var metadata = previous is not null
                ? new MetadataFacts(previous.RequiresPython, previous.Summary, previous.MetadataSha256, null, null)
                : await InspectAsync(candidate, digests.Sha256, whole, length, zipScan, cancellationToken);
            return Complete(candidate, before, digests, previous, metadata);
        }
        finally
        {
            if (whole is not null)
            {
                ArrayPool<byte>.Shared.Return(whole);
            }
        }
    }

    private (CatalogFile? File, bool Retry) Complete(Candidate candidate, DiskFile before, FileDigests digests, CatalogFile? previous, MetadataFacts metadata)
    {
        if (Stat(candidate.Path) != before)
        {
            FolderIndexerLog.StillChanging(_logger, candidate.Path);
            return (null, true);
        }

        if (metadata.Failure is not null)
        {
            // Perhaps a copy that paused: a half-written archive never gets listed with its truncated
            // bytes' hash. It waits until it has not changed for the quiet period (one log line).
            var age = _time.GetUtcNow().UtcTicks - before.MtimeTicks;
            if (age >= 0 && age < _options.ArchiveQuietPeriod.Ticks)
            {
                var first = !_unsettled.ContainsKey(candidate.Path);
                _unsettled[candidate.Path] = before;
                if (first)
                {
                    FolderIndexerLog.NotAnArchiveYet(_logger, candidate.Path, metadata.Failure, _options.ArchiveQuietPeriod.TotalSeconds);
                }

                return (null, true);
            }

            FolderIndexerLog.InspectionFailed(_logger, candidate.Path, metadata.Failure);
        }

        _unsettled.TryRemove(candidate.Path, out _);

        var name = candidate.Name;
        return (new CatalogFile
        {
            Path = candidate.Path,
            Filename = name.Filename,
            Project = name.Project,
            ProjectDisplayName = metadata.DisplayName ?? name.RawName,
            Version = name.Version.Original,
            Type = name.Type,
            PythonTag = name.PythonTag,
            RequiresPython = metadata.RequiresPython,
            Summary = metadata.Summary,
            MetadataSha256 = metadata.MetadataSha256,
            Sha256 = digests.Sha256,
            Md5 = digests.Md5,
            Blake2b256 = digests.Blake2b256,
            Size = digests.Size,
            UploadTime = previous?.UploadTime ?? _time.GetUtcNow(),
            Uploader = previous?.Uploader,
            Yanked = previous?.Yanked ?? false,
            YankedReason = previous?.YankedReason,
            SourceMtimeTicks = before.MtimeTicks,
            SourceIdentity = before.Identity,
        }, false);
    }

    /// <summary>
    /// Reads core metadata, from the first <paramref name="length"/> bytes of <paramref name="whole"/>
    /// when the file is already in memory, else from the file (with <paramref name="zipScan"/>, the check
    /// of a zip's members made while it was hashed); for wheels also stores it as the PEP 658 metadata
    /// blob. Never throws on what the archive holds.
    /// </summary>
    private async Task<MetadataFacts> InspectAsync(
        Candidate candidate, string sha256, byte[]? whole, int length, ZipLocalScan? zipScan, CancellationToken cancellationToken)
    {
        try
        {
            InspectionResult? result;
            await using (Stream stream = whole is not null
                ? new MemoryStream(whole, 0, length, writable: false)
                : OpenRead(candidate.Path))
            {
                result = await ArchiveInspector.InspectAsync(stream, candidate.Name, ArchiveLimits.Default, zipScan, cancellationToken);
            }

            if (result is null)
            {
                return new MetadataFacts(null, null, null, null, null); // legacy bdist: nothing to read
            }

            var metadata = result.Metadata;
            string? metadataSha256 = null;
            if (candidate.Name.Type == DistributionType.Wheel)
            {
                metadataSha256 = Convert.ToHexStringLower(SHA256.HashData(result.MetadataBytes));
                using var bytes = new MemoryStream(result.MetadataBytes, writable: false);
                await _blobs.StageAsync(BlobKeys.Metadata(sha256), bytes, metadataSha256, cancellationToken);
            }

            var displayName = metadata.Name is { Length: > 0 } n && ProjectName.Normalize(n) == candidate.Name.Project ? n : null;
            return new MetadataFacts(metadata.RequiresPython, metadata.Summary, metadataSha256, displayName, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A broken archive is still served (the operator put it there), just without metadata.
            return new MetadataFacts(null, null, null, null, ex.Message);
        }
    }

    /// <summary>Reads a file into <paramref name="buffer"/> up to its end or the buffer's; the byte count.</summary>
    private int ReadWhole(string relativePath, byte[] buffer)
    {
        using var handle = File.OpenHandle(FullPath(relativePath), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var total = 0;
        int n;
        while (total < buffer.Length && (n = RandomAccess.Read(handle, buffer.AsSpan(total), total)) > 0)
        {
            total += n;
        }

        return total;
    }

    private FileStream OpenRead(string relativePath) => new(FullPath(relativePath), new FileStreamOptions
    {
        Mode = FileMode.Open,
        Access = FileAccess.Read,
        Share = FileShare.ReadWrite | FileShare.Delete,
        Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        BufferSize = 128 * 1024,
    });

    private sealed record MetadataFacts(
        string? RequiresPython, string? Summary, string? MetadataSha256, string? DisplayName, string? Failure);
}
