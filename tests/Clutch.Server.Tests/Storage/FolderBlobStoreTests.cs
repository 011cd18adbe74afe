using System.Text;
using Clutch.Storage;
using Clutch.Storage.Folder;

namespace Clutch.Server.Tests.Storage;

/// <summary>What only the folder store does (the shared behaviour is in <see cref="Contracts.FolderBlobStoreContractTests"/>).</summary>
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
    public async Task Downloads_are_sent_from_the_local_file()
    {
        await _store.PutAsync("foo/foo-1.0.tar.gz", Bytes("hello"), Sha("hello"), CancellationToken.None);

        var download = _store.GetDownload("foo/foo-1.0.tar.gz");

        Assert.Equal(BlobDownloadKind.LocalFile, download.Kind);
        Assert.Equal(Path.Combine(_temp.Path, "foo", "foo-1.0.tar.gz"), download.LocalPath);
    }

    [Fact]
    public async Task A_key_staged_twice_before_publishing_ends_as_one_blob_and_no_temp_files()
    {
        Assert.True(await _store.StageAsync("twice.metadata", Bytes("one"), Sha("one"), CancellationToken.None));
        Assert.True(await _store.StageAsync("twice.metadata", Bytes("one"), Sha("one"), CancellationToken.None));
        Assert.Equal(2, Directory.EnumerateFiles(Path.Combine(_temp.Path, ".clutch", "tmp")).Count());

        await _store.PublishStagedAsync(CancellationToken.None);

        Assert.Equal("one", await File.ReadAllTextAsync(_store.ResolveKey("twice.metadata")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_temp.Path, ".clutch", "tmp")));
    }

    [Fact]
    public void Metadata_blobs_live_in_the_private_area()
    {
        Assert.Equal(".clutch/metadata/abc.metadata", BlobKeys.Metadata("abc"));
        Assert.StartsWith(Path.Combine(_temp.Path, ".clutch", "metadata"), _store.ResolveKey(BlobKeys.Metadata("abc")), StringComparison.Ordinal);
    }

    private static string Sha(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
