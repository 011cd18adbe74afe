using System.Security.Cryptography;
using System.Text;
using Clutch.Server.Tests.Harness;
using Clutch.Storage;

namespace Clutch.Server.Tests.Storage.Contracts;

/// <summary>
/// Blob store tests that measure the whole process's allocations run alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BlobStoreCollection
{
    public const string Name = "blob stores";
}

/// <summary>
/// What every blob store provider must do the same way, written once and run against each (the
/// subclasses). A subclass whose service is missing has these tests skipped, saying why
/// (<see cref="NeedsServiceAttribute"/>).
/// </summary>
public abstract class BlobStoreContract : IAsyncLifetime
{
    /// <summary>The size of the large blob: over the S3 multipart threshold, several parts.</summary>
    protected const long LargeSize = 40L * 1024 * 1024;

    private IBlobStore? _store;

    protected static CancellationToken Ct => CancellationToken.None;

    protected IBlobStore Store => _store ??= CreateStore();

    /// <summary>A fresh, empty store for one test.</summary>
    protected abstract IBlobStore CreateStore();

    /// <summary>Whether staged blobs stay invisible until published (the folder store), or are written at once.</summary>
    protected abstract bool StagedBlobsWaitForPublish { get; }

    /// <summary>How much the store may allocate to put and read back <see cref="LargeSize"/> bytes.</summary>
    protected abstract long LargeTransferAllocationBound { get; }

    /// <summary>Asserts that no trace of unfinished writes remains (temp files, pending uploads).</summary>
    protected abstract Task AssertNoUnfinishedWritesAsync();

    /// <summary>A local folder for files to put with <see cref="IBlobStore.PutFileAsync"/>.</summary>
    protected abstract string LocalFolder { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync()
    {
        (_store as IDisposable)?.Dispose();
        return Task.CompletedTask;
    }

    [ContractFact]
    public async Task A_put_blob_reads_back_with_its_size_and_time()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        Assert.Equal(BlobPutResult.Stored, await Store.PutAsync("foo/foo-1.0.tar.gz", Bytes("hello"), Sha("hello"), Ct));

        Assert.Equal("hello", await ReadTextAsync("foo/foo-1.0.tar.gz"));
        var info = await Store.GetInfoAsync("foo/foo-1.0.tar.gz", Ct);
        Assert.NotNull(info);
        Assert.Equal("foo/foo-1.0.tar.gz", info.Key);
        Assert.Equal(5, info.Size);
        Assert.InRange(info.LastModified, before, DateTimeOffset.UtcNow.AddSeconds(5));
        await AssertNoUnfinishedWritesAsync();
    }

    [ContractFact]
    public async Task An_opened_blob_seeks_so_a_range_can_be_read_from_any_offset()
    {
        var content = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"{i:D5}")));
        Assert.Equal(BlobPutResult.Stored, await Store.PutAsync("r/r-1.0.tar.gz", new MemoryStream(content), Convert.ToHexStringLower(SHA256.HashData(content)), Ct));

        await using var stream = await Store.OpenReadAsync("r/r-1.0.tar.gz", Ct);
        Assert.True(stream.CanSeek);
        Assert.Equal(content.Length, stream.Length);
        var buffer = new byte[10];
        await stream.ReadExactlyAsync(buffer, Ct);
        Assert.Equal(content[..10], buffer);

        // Forward, back, and from the end: each read gives the bytes at the new offset.
        foreach (var (offset, origin, at) in new[] { (7000L, SeekOrigin.Begin, 7000), (-3000L, SeekOrigin.Current, 4010), (-10L, SeekOrigin.End, content.Length - 10) })
        {
            Assert.Equal(at, stream.Seek(offset, origin));
            await stream.ReadExactlyAsync(buffer, Ct);
            Assert.Equal(content[at..(at + 10)], buffer);
        }

        Assert.Equal(0, await stream.ReadAsync(buffer, Ct));
    }

    [ContractFact]
    public async Task A_put_on_a_taken_key_keeps_the_blob_and_says_whether_the_bytes_are_the_same()
    {
        Assert.Equal(BlobPutResult.Stored, await Store.PutAsync("a.whl", Bytes("first"), Sha("first"), Ct));

        Assert.Equal(BlobPutResult.Conflict, await Store.PutAsync("a.whl", Bytes("second"), Sha("second"), Ct));
        Assert.Equal(BlobPutResult.SameBytes, await Store.PutAsync("a.whl", Bytes("first"), Sha("first"), Ct));
        Assert.Equal("first", await ReadTextAsync("a.whl"));
        Assert.Equal(5, (await Store.GetInfoAsync("a.whl", Ct))!.Size);
    }

    [ContractFact]
    public async Task A_put_file_removes_the_local_file_only_when_stored()
    {
        var stored = LocalFile("stored.tmp", "first");
        Assert.Equal(BlobPutResult.Stored, await Store.PutFileAsync("b.whl", stored, Sha("first"), Ct));
        Assert.False(File.Exists(stored));
        Assert.Equal("first", await ReadTextAsync("b.whl"));

        var other = LocalFile("other.tmp", "other");
        Assert.Equal(BlobPutResult.Conflict, await Store.PutFileAsync("b.whl", other, Sha("other"), Ct));
        Assert.True(File.Exists(other)); // not stored: the caller's file is left for it to remove

        var same = LocalFile("same.tmp", "first");
        Assert.Equal(BlobPutResult.SameBytes, await Store.PutFileAsync("b.whl", same, Sha("first"), Ct));
        Assert.True(File.Exists(same));
        Assert.Equal("first", await ReadTextAsync("b.whl"));
    }

    [ContractFact]
    public async Task Racing_puts_of_different_bytes_have_exactly_one_winner_whose_bytes_are_stored()
    {
        for (var round = 0; round < 5; round++)
        {
            var key = $"race/r{round}.whl";
            using var start = new ManualResetEventSlim();
            var puts = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
            {
                start.Wait();
                return (Writer: i, Result: await Store.PutAsync(key, Bytes($"writer {i}"), Sha($"writer {i}"), Ct));
            })).ToArray();
            start.Set();

            var results = await Task.WhenAll(puts);

            var winner = Assert.Single(results, r => r.Result == BlobPutResult.Stored);
            Assert.All(results.Where(r => r.Writer != winner.Writer), r => Assert.Equal(BlobPutResult.Conflict, r.Result));
            Assert.Equal($"writer {winner.Writer}", await ReadTextAsync(key));
        }
    }

    [ContractFact]
    public async Task A_large_put_streams_through_bounded_memory_and_reads_back_whole()
    {
        const ulong seed = 40;
        var sha256 = GeneratedStream.Sha256(LargeSize, seed);
        await Store.PutAsync("warmup.whl", Bytes("warm"), Sha("warm"), Ct); // the first request's one-off costs are not the blob's

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        Assert.Equal(BlobPutResult.Stored, await Store.PutAsync("big/big-1.0.whl", new GeneratedStream(LargeSize, seed), sha256, Ct));
        string readBack;
        await using (var stream = await Store.OpenReadAsync("big/big-1.0.whl", Ct))
        {
            readBack = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, Ct));
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.Equal(sha256, readBack);
        Assert.Equal(LargeSize, (await Store.GetInfoAsync("big/big-1.0.whl", Ct))!.Size);
        Assert.True(allocated < LargeTransferAllocationBound, $"putting and reading {LargeSize:N0} bytes allocated {allocated:N0} bytes (bound {LargeTransferAllocationBound:N0})");
        await AssertNoUnfinishedWritesAsync();
    }

    [ContractFact]
    public async Task Content_of_every_size_and_kind_of_stream_is_stored_whole()
    {
        // Around the S3 part size (8 MB) and multipart threshold (16 MB), of unknown length (a
        // request body) and of known length (a file).
        const long mb = 1024 * 1024;
        foreach (var size in new[] { 0, 1, mb, (8 * mb) - 1, 8 * mb, (8 * mb) + 1, 17 * mb })
        {
            var seed = (ulong)size + 7;
            var sha256 = GeneratedStream.Sha256(size, seed);
            Assert.Equal(BlobPutResult.Stored, await Store.PutAsync($"sizes/streamed-{size}.whl", new GeneratedStream(size, seed), sha256, Ct));

            var local = Path.Combine(LocalFolder, $"file-{size}.tmp");
            await using (var file = File.Create(local))
            {
                await new GeneratedStream(size, seed).CopyToAsync(file, Ct);
            }

            Assert.Equal(BlobPutResult.Stored, await Store.PutFileAsync($"sizes/file-{size}.whl", local, sha256, Ct));

            foreach (var key in new[] { $"sizes/streamed-{size}.whl", $"sizes/file-{size}.whl" })
            {
                await using var stream = await Store.OpenReadAsync(key, Ct);
                Assert.Equal(sha256, Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, Ct)));
                Assert.Equal(size, (await Store.GetInfoAsync(key, Ct))!.Size);
            }

            Assert.Equal(BlobPutResult.SameBytes, await Store.PutAsync($"sizes/streamed-{size}.whl", new GeneratedStream(size, seed), sha256, Ct));
        }

        await AssertNoUnfinishedWritesAsync();
    }

    [ContractFact]
    public async Task A_large_put_cancelled_midway_leaves_nothing()
    {
        using var cancel = new CancellationTokenSource();
        var content = new GeneratedStream(LargeSize, 41, read =>
        {
            if (read >= LargeSize / 2)
            {
                cancel.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.PutAsync("big/cancelled.whl", content, GeneratedStream.Sha256(LargeSize, 41), cancel.Token));

        Assert.Null(await Store.GetInfoAsync("big/cancelled.whl", Ct));
        await Assert.ThrowsAsync<FileNotFoundException>(() => Store.OpenReadAsync("big/cancelled.whl", Ct));
        await AssertNoUnfinishedWritesAsync();

        // The key is free: a later put stores.
        Assert.Equal(BlobPutResult.Stored, await Store.PutAsync("big/cancelled.whl", Bytes("small"), Sha("small"), Ct));
    }

    [ContractFact]
    public async Task A_put_whose_content_fails_midway_leaves_nothing_and_is_the_content_s_failure()
    {
        // An upload whose client went away: the request body fails, the store is not to blame (no 503).
        var content = new GeneratedStream(LargeSize, 42, read =>
        {
            if (read >= LargeSize / 2)
            {
                throw new IOException("the client went away");
            }
        });

        var failure = await Assert.ThrowsAsync<IOException>(() => Store.PutAsync("big/failed.whl", content, GeneratedStream.Sha256(LargeSize, 42), Ct));

        Assert.Equal("the client went away", failure.Message);
        Assert.Null(await Store.GetInfoAsync("big/failed.whl", Ct));
        await AssertNoUnfinishedWritesAsync();
    }

    [ContractFact]
    public async Task A_deleted_blob_is_gone_and_its_key_can_be_used_again()
    {
        Assert.Equal(BlobPutResult.Stored, await Store.PutAsync("c.whl", Bytes("one"), Sha("one"), Ct));

        await Store.DeleteAsync("c.whl", Ct);

        Assert.Null(await Store.GetInfoAsync("c.whl", Ct));
        await Assert.ThrowsAsync<FileNotFoundException>(() => Store.OpenReadAsync("c.whl", Ct));
        Assert.Equal(BlobPutResult.Stored, await Store.PutAsync("c.whl", Bytes("two"), Sha("two"), Ct));
        Assert.Equal("two", await ReadTextAsync("c.whl"));
    }

    [ContractFact]
    public async Task Missing_blobs_are_absent_not_errors_except_when_opened()
    {
        Assert.Null(await Store.GetInfoAsync("nope/x.whl", Ct));
        await Store.DeleteAsync("nope/x.whl", Ct);
        await Assert.ThrowsAsync<FileNotFoundException>(() => Store.OpenReadAsync("nope/x.whl", Ct));
    }

    [ContractFact]
    public async Task Staged_blobs_are_there_once_published()
    {
        var key = BlobKeys.Metadata("abc");
        Assert.True(await Store.StageAsync(key, Bytes("Metadata-Version: 2.1\n"), Sha("Metadata-Version: 2.1\n"), Ct));
        Assert.True(await Store.StageAsync("m/b.metadata", Bytes("second"), Sha("second"), Ct));
        if (StagedBlobsWaitForPublish)
        {
            Assert.Null(await Store.GetInfoAsync(key, Ct)); // not visible before it is durable
        }

        await Store.PublishStagedAsync(Ct);

        Assert.Equal("Metadata-Version: 2.1\n", await ReadTextAsync(key));
        Assert.Equal("second", await ReadTextAsync("m/b.metadata"));
        Assert.False(await Store.StageAsync(key, Bytes("other"), Sha("other"), Ct)); // an existing key is not staged again
        await Store.PublishStagedAsync(Ct);
        Assert.Equal("Metadata-Version: 2.1\n", await ReadTextAsync(key));
        await Store.PublishStagedAsync(Ct); // nothing staged: nothing to do
        await AssertNoUnfinishedWritesAsync();
    }

    [ContractFact]
    public async Task Keys_no_store_accepts_are_refused()
    {
        foreach (var key in new[] { "", "../outside.whl", "foo//bar.whl", "/abs.whl", "foo/./bar.whl" })
        {
            Assert.Throws<ArgumentException>(() => Store.GetDownload(key));
            await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(key, Bytes("x"), Sha("x"), Ct));
            await Assert.ThrowsAsync<ArgumentException>(() => Store.GetInfoAsync(key, Ct));
        }
    }

    [ContractFact]
    public async Task A_reachable_store_checks_healthy()
    {
        Assert.Null(await Store.CheckAsync(Ct));
    }

    protected static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    protected static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    protected async Task<string> ReadTextAsync(string key)
    {
        await using var stream = await Store.OpenReadAsync(key, Ct);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(Ct);
    }

    private string LocalFile(string name, string text)
    {
        var path = Path.Combine(LocalFolder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
