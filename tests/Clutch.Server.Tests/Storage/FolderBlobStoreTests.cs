using System.Text;
using Clutch.Storage;
using Clutch.Storage.Folder;

namespace Clutch.Server.Tests.Storage;

public sealed class FolderBlobStoreTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly FolderBlobStore _store;

    public FolderBlobStoreTests() => _store = new FolderBlobStore(_temp.Path);

    public void Dispose() => _temp.Dispose();

    private static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("")]
    [InlineData("../outside.whl")]
    [InlineData("foo/../../outside.whl")]
    [InlineData("foo/..")]
    [InlineData("/etc/passwd")]
    [InlineData("foo\\bar.whl")]
    [InlineData("foo//bar.whl")]
    [InlineData("foo/./bar.whl")]
    [InlineData("foo/")]
    [InlineData("foo\0bar.whl")]
    [InlineData("C:/windows/file")]
    public async Task Keys_that_could_escape_the_folder_are_refused(string key)
    {
        Assert.Throws<ArgumentException>(() => _store.GetDownload(key));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.PutAsync(key, Bytes("x"), Sha("x"), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenReadAsync(key, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.GetInfoAsync(key, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteAsync(key, CancellationToken.None));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_temp.Path)!, "outside.whl")));
    }

    [Fact]
    public async Task A_put_blob_reads_back_and_leaves_no_temp_file()
    {
        Assert.Equal(BlobPutResult.Stored, await _store.PutAsync("foo/foo-1.0.tar.gz", Bytes("hello"), Sha("hello"), CancellationToken.None));

        await using (var stream = await _store.OpenReadAsync("foo/foo-1.0.tar.gz", CancellationToken.None))
        using (var reader = new StreamReader(stream))
        {
            Assert.Equal("hello", await reader.ReadToEndAsync());
        }

        var info = await _store.GetInfoAsync("foo/foo-1.0.tar.gz", CancellationToken.None);
        Assert.Equal(5, info!.Size);
        Assert.Equal(Path.Combine(_temp.Path, "foo", "foo-1.0.tar.gz"), _store.GetDownload("foo/foo-1.0.tar.gz").LocalPath);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_temp.Path, ".clutch", "tmp")));
    }

    [Fact]
    public async Task Staged_blobs_appear_only_when_published_and_leave_no_temp_files()
    {
        const string key = ".clutch/metadata/abc.metadata";
        Assert.True(await _store.StageAsync(key, Bytes("Metadata-Version: 2.1\n"), Sha("Metadata-Version: 2.1\n"), CancellationToken.None));
        Assert.True(await _store.StageAsync("m/b.metadata", Bytes("second"), Sha("second"), CancellationToken.None));
        Assert.Null(await _store.GetInfoAsync(key, CancellationToken.None)); // not visible before it is durable

        await _store.PublishStagedAsync(CancellationToken.None);
        Assert.Equal("Metadata-Version: 2.1\n", await File.ReadAllTextAsync(_store.ResolveKey(key)));
        Assert.Equal("second", await File.ReadAllTextAsync(_store.ResolveKey("m/b.metadata")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_temp.Path, ".clutch", "tmp")));

        // An existing key is not staged again; the same key staged twice before publishing ends as one blob.
        Assert.False(await _store.StageAsync(key, Bytes("other"), Sha("other"), CancellationToken.None));
        Assert.True(await _store.StageAsync("twice.metadata", Bytes("one"), Sha("one"), CancellationToken.None));
        Assert.True(await _store.StageAsync("twice.metadata", Bytes("one"), Sha("one"), CancellationToken.None));
        await _store.PublishStagedAsync(CancellationToken.None);
        Assert.Equal("one", await File.ReadAllTextAsync(_store.ResolveKey("twice.metadata")));
        Assert.Equal("Metadata-Version: 2.1\n", await File.ReadAllTextAsync(_store.ResolveKey(key)));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_temp.Path, ".clutch", "tmp")));

        await _store.PublishStagedAsync(CancellationToken.None); // nothing staged: nothing to do
    }

    [Fact]
    public async Task A_put_on_a_taken_key_keeps_the_blob_and_says_whether_the_bytes_are_the_same()
    {
        Assert.Equal(BlobPutResult.Stored, await _store.PutAsync("a.whl", Bytes("first"), Sha("first"), CancellationToken.None));

        Assert.Equal(BlobPutResult.Conflict, await _store.PutAsync("a.whl", Bytes("second"), Sha("second"), CancellationToken.None));
        Assert.Equal(BlobPutResult.SameBytes, await _store.PutAsync("a.whl", Bytes("first"), Sha("first"), CancellationToken.None));
        Assert.Equal("first", await File.ReadAllTextAsync(_store.ResolveKey("a.whl")));

        var local = Path.Combine(_temp.Path, ".clutch", "upload.tmp");
        await File.WriteAllTextAsync(local, "other");
        Assert.Equal(BlobPutResult.Conflict, await _store.PutFileAsync("a.whl", local, Sha("other"), CancellationToken.None));
        Assert.True(File.Exists(local)); // not stored: the caller's file is left for it to remove
        Assert.Equal("first", await File.ReadAllTextAsync(_store.ResolveKey("a.whl")));
    }

    [Fact]
    public async Task Racing_puts_without_overwrite_have_exactly_one_winner()
    {
        for (var round = 0; round < 25; round++)
        {
            var key = $"race/r{round}.whl";
            using var start = new ManualResetEventSlim();
            var puts = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                start.Wait();
                return (i, won: await _store.PutAsync(key, Bytes($"writer {i}"), Sha($"writer {i}"), CancellationToken.None) == BlobPutResult.Stored);
            })).ToArray();
            start.Set();

            var results = await Task.WhenAll(puts);

            var winner = Assert.Single(results, r => r.won);
            Assert.Equal($"writer {winner.i}", await File.ReadAllTextAsync(_store.ResolveKey(key)));
        }
    }

    [Fact]
    public async Task Missing_blobs_are_absent_not_errors_except_when_opened()
    {
        Assert.Null(await _store.GetInfoAsync("nope/x.whl", CancellationToken.None));
        await _store.DeleteAsync("nope/x.whl", CancellationToken.None);
        await Assert.ThrowsAsync<FileNotFoundException>(() => _store.OpenReadAsync("nope/x.whl", CancellationToken.None));
    }

    [Fact]
    public void Metadata_blobs_live_in_the_private_area()
    {
        Assert.Equal(".clutch/metadata/abc.metadata", BlobKeys.Metadata("abc"));
        Assert.StartsWith(Path.Combine(_temp.Path, ".clutch", "metadata"), _store.ResolveKey(BlobKeys.Metadata("abc")), StringComparison.Ordinal);
    }

    private static string Sha(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
