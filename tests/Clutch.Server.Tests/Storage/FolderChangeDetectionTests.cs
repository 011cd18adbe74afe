using Clutch.Storage;
using Clutch.Storage.Folder;

namespace Clutch.Server.Tests.Storage;

/// <summary>
/// A published hash never points at other bytes: hand replacements that put size and mtime back are
/// noticed, half-written archives wait, and a file an upload is putting in place keeps the upload's row.
/// </summary>
public sealed class FolderChangeDetectionTests : IDisposable
{
    private readonly IndexedFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static CancellationToken Ct => CancellationToken.None;

    /// <summary>Other bytes of the same size in place of a file, its mtime put back (as <c>cp -p</c> or <c>touch -r</c> do).</summary>
    private static void ReplaceKeepingSizeAndMtime(string path, bool byMove)
    {
        var mtime = File.GetLastWriteTimeUtc(path);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0xFF;
        if (byMove)
        {
            var temp = path + ".new";
            File.WriteAllBytes(temp, bytes);
            File.SetLastWriteTimeUtc(temp, mtime);
            File.Move(temp, path, overwrite: true); // a new inode
        }
        else
        {
            File.WriteAllBytes(path, bytes); // written in place: the same inode, a new ctime
            File.SetLastWriteTimeUtc(path, mtime);
        }

        Assert.Equal(mtime, File.GetLastWriteTimeUtc(path));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_file_replaced_by_hand_with_its_size_and_mtime_put_back_is_rehashed_by_the_next_scan(bool byMove)
    {
        var path = _folder.Drop("foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));
        await _folder.Indexer.ScanAsync(null, Ct);

        ReplaceKeepingSizeAndMtime(path, byMove);
        var restarted = _folder.NewIndexer();
        var result = await restarted.ScanAsync(null, Ct);

        Assert.Equal(1, restarted.HashCount);
        Assert.Equal(1, result.Indexed);
        Assert.Equal(TestPackages.Sha256(File.ReadAllBytes(path)), (await _folder.Catalog.FindFileAsync("foo-1.0.tar.gz", Ct))!.Sha256);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_file_replaced_by_hand_with_its_size_and_mtime_put_back_is_rehashed_when_the_watcher_reports_it(bool byMove)
    {
        var path = _folder.Drop("foo/foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));
        await _folder.Indexer.ScanAsync(null, Ct);

        ReplaceKeepingSizeAndMtime(path, byMove);
        var result = await _folder.Indexer.IndexPathsAsync(["foo/foo-1.0.tar.gz"], Ct);

        Assert.Equal(1, result.Indexed);
        Assert.Equal(TestPackages.Sha256(File.ReadAllBytes(path)), (await _folder.Catalog.FindFileAsync("foo-1.0.tar.gz", Ct))!.Sha256);
    }

    [Fact]
    public async Task An_unchanged_file_is_not_rehashed_by_scans_or_watcher_reports()
    {
        _folder.Drop("foo/foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));
        await _folder.Indexer.ScanAsync(null, Ct);

        var again = await _folder.Indexer.ScanAsync(null, Ct);
        var reported = await _folder.Indexer.IndexPathsAsync(["foo/foo-1.0.tar.gz"], Ct);

        Assert.Equal(1, _folder.Indexer.HashCount);
        Assert.Equal((0, 1, 0, 1), (again.Indexed, again.Unchanged, reported.Indexed, reported.Unchanged));
    }

    [Fact]
    public async Task An_upload_row_written_while_the_indexer_hashes_the_same_file_is_not_overwritten()
    {
        // The watcher saw the renamed-in file before the upload recorded it; the upload's row is
        // written while the indexer reads the file (just before the indexer's own write).
        var bytes = TestPackages.Wheel("Foo.Bar", "1.0", summary: "what the indexer reads");
        var path = _folder.Drop("foo-bar/foo_bar-1.0-py3-none-any.whl", bytes);
        CatalogFile? uploaded = null;
        var blobs = new BeforePublish(_folder.Blobs, async () =>
        {
            var info = (await _folder.Blobs.GetInfoAsync("foo-bar/foo_bar-1.0-py3-none-any.whl", Ct))!;
            uploaded = TestFiles.Make("foo-bar", "1.0", "foo-bar/foo_bar-1.0-py3-none-any.whl", TestPackages.Sha256(bytes)) with
            {
                Filename = "foo_bar-1.0-py3-none-any.whl",
                ProjectDisplayName = "Foo.Bar",
                Uploader = "alice",
                Summary = "what the upload sent",
                MetadataSha256 = new string('b', 64),
                Size = info.Size,
                SourceMtimeTicks = info.LastModified.UtcTicks,
                SourceIdentity = info.Identity,
            };
            Assert.Null(await _folder.Catalog.TryAddFileAsync(uploaded, Ct));
        });
        var indexer = new FolderIndexer(Microsoft.Extensions.Options.Options.Create(_folder.Options), _folder.Catalog, _folder.Catalog, blobs, _folder.Log);

        await indexer.IndexPathsAsync(["foo-bar/foo_bar-1.0-py3-none-any.whl"], Ct);

        Assert.NotNull(uploaded);
        Assert.True(File.Exists(path));
        Assert.Equal(uploaded with { ProjectDisplayName = null }, await _folder.Catalog.FindFileAsync("foo_bar-1.0-py3-none-any.whl", Ct));
        Assert.Equal("Foo.Bar", Assert.Single(await _folder.Catalog.ListProjectsAsync(Ct)).DisplayName);
    }

    [Fact]
    public async Task A_file_an_upload_holds_is_left_to_it_and_the_upload_row_stays_after_the_hold()
    {
        var bytes = TestPackages.Wheel("foo", "1.0");
        const string key = "foo/foo-1.0-py3-none-any.whl";
        var hold = _folder.Indexer.Hints.Hold(key);
        _folder.Drop(key, bytes); // the upload's rename into the folder

        var scan = await _folder.Indexer.ScanAsync(null, Ct);
        var watched = await _folder.Indexer.IndexPathsAsync([key], Ct);

        Assert.Equal(0, _folder.Indexer.HashCount);
        Assert.Equal([key], scan.Deferred);
        Assert.Equal([key], watched.Deferred);
        Assert.Null(await _folder.Catalog.FindFileAsync("foo-1.0-py3-none-any.whl", Ct));

        var info = (await _folder.Blobs.GetInfoAsync(key, Ct))!;
        var uploaded = TestFiles.Make("foo", "1.0", key, TestPackages.Sha256(bytes)) with
        {
            Filename = "foo-1.0-py3-none-any.whl",
            Uploader = "alice",
            Size = info.Size,
            SourceMtimeTicks = info.LastModified.UtcTicks,
            SourceIdentity = info.Identity,
        };
        Assert.Null(await _folder.Catalog.TryAddFileAsync(uploaded, Ct));
        hold.Dispose();

        var retried = await _folder.Indexer.IndexPathsAsync([key], Ct);
        var rescanned = await _folder.Indexer.ScanAsync(null, Ct);

        Assert.Equal((0, 1, 0, 1), (retried.Indexed, retried.Unchanged, rescanned.Indexed, rescanned.Unchanged));
        Assert.Equal(0, _folder.Indexer.HashCount);
        Assert.Equal(uploaded with { ProjectDisplayName = null }, await _folder.Catalog.FindFileAsync("foo-1.0-py3-none-any.whl", Ct));
    }

    [Theory]
    [InlineData("foo-1.0-py3-none-any.whl")]
    [InlineData("foo-1.0.tar.gz")]
    public async Task An_archive_cut_short_and_just_written_is_not_listed(string filename)
    {
        var whole = filename.EndsWith(".whl", StringComparison.Ordinal)
            ? TestPackages.Wheel("foo", "1.0", filler: new string('x', 20_000))
            : TestPackages.Sdist("foo", "1.0");
        _folder.Options.ArchiveQuietPeriod = TimeSpan.FromSeconds(30);
        File.WriteAllBytes(_folder.PathOf(filename), whole[..(whole.Length / 2)]); // a copy that paused half-way

        var watched = await _folder.Indexer.IndexPathsAsync([filename], Ct);
        var scanned = await _folder.Indexer.ScanAsync(null, Ct);

        Assert.Null(await _folder.Catalog.FindFileAsync(filename, Ct));
        Assert.Equal([filename], watched.Deferred);
        Assert.Equal([filename], scanned.Deferred);
        Assert.Single(_folder.Log.Entries, e => e.Message.Contains(filename, StringComparison.Ordinal));
        Assert.Equal(1, _folder.Indexer.HashCount); // not read again while it has not changed

        File.WriteAllBytes(_folder.PathOf(filename), whole); // the copy goes on and ends
        await _folder.Indexer.IndexPathsAsync([filename], Ct);

        Assert.Equal(TestPackages.Sha256(whole), (await _folder.Catalog.FindFileAsync(filename, Ct))?.Sha256);
    }

    [Fact]
    public async Task An_archive_that_never_opens_is_listed_without_metadata_once_quiet()
    {
        _folder.Options.ArchiveQuietPeriod = TimeSpan.FromMilliseconds(300);
        File.WriteAllBytes(_folder.PathOf("foo-1.0-py3-none-any.whl"), "this is not a zip"u8.ToArray());

        var first = await _folder.Indexer.IndexPathsAsync(["foo-1.0-py3-none-any.whl"], Ct);
        Assert.Equal(["foo-1.0-py3-none-any.whl"], first.Deferred);
        await Task.Delay(400, Ct);
        await _folder.Indexer.IndexPathsAsync(["foo-1.0-py3-none-any.whl"], Ct);

        var file = await _folder.Catalog.FindFileAsync("foo-1.0-py3-none-any.whl", Ct);
        Assert.NotNull(file);
        Assert.Null(file.MetadataSha256);
    }

    [Fact]
    public async Task A_listed_file_replaced_by_a_folder_leaves_the_listing()
    {
        var path = _folder.Drop("foo/foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));
        await _folder.Indexer.ScanAsync(null, Ct);

        File.Delete(path);
        Directory.CreateDirectory(path);
        var result = await _folder.Indexer.IndexPathsAsync(["foo/foo-1.0.tar.gz"], Ct);

        Assert.Equal(1, result.Removed);
        Assert.Null(await _folder.Catalog.FindFileAsync("foo-1.0.tar.gz", Ct));
    }

    [Fact]
    public async Task A_fifo_in_the_folder_is_not_opened()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", _folder.PathOf("foo-1.0.tar.gz")))
        {
            await mkfifo.WaitForExitAsync(Ct);
        }

        var scan = _folder.Indexer.ScanAsync(null, Ct);
        Assert.Same(scan, await Task.WhenAny(scan, Task.Delay(TimeSpan.FromSeconds(10), Ct)));
        Assert.Null(await _folder.Catalog.FindFileAsync("foo-1.0.tar.gz", Ct));
    }

    /// <summary>A blob store that runs <paramref name="before"/> when the indexer publishes its batch, right before it writes the catalog.</summary>
    private sealed class BeforePublish(IBlobStore inner, Func<Task> before) : IBlobStore
    {
        private Func<Task>? _before = before;

        public Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken) => inner.GetInfoAsync(key, cancellationToken);

        public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

        public string Description => inner.Description;

        public BlobDownload GetDownload(string key) => inner.GetDownload(key);

        public Task<BlobPutResult> PutAsync(string key, Stream content, string sha256, CancellationToken cancellationToken) => inner.PutAsync(key, content, sha256, cancellationToken);

        public Task<bool> StageAsync(string key, Stream content, string sha256, CancellationToken cancellationToken) => inner.StageAsync(key, content, sha256, cancellationToken);

        public async Task PublishStagedAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _before, null) is { } run)
            {
                await run();
            }

            await inner.PublishStagedAsync(cancellationToken);
        }

        public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
    }
}
