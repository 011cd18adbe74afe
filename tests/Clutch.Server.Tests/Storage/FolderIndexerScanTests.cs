using System.Security.Cryptography;
using Clutch.Packaging;
using Clutch.Storage;
using Clutch.Storage.Folder;

namespace Clutch.Server.Tests.Storage;

public sealed class FolderIndexerScanTests : IDisposable
{
    private readonly IndexedFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Scan_indexes_flat_files_and_per_project_folders()
    {
        var wheel = TestPackages.Wheel("Foo", "1.0");
        _folder.Drop("Foo-1.0-py3-none-any.whl", wheel);
        _folder.Drop("bar-baz/bar-baz-2.0.tar.gz", TestPackages.Sdist("bar-baz", "2.0"));

        var result = await _folder.Indexer.ScanAsync(null, Ct);

        Assert.Equal(2, result.Indexed);
        var files = (await _folder.Catalog.GetAllFilesAsync(Ct)).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        Assert.Equal(["Foo-1.0-py3-none-any.whl", "bar-baz/bar-baz-2.0.tar.gz"], files.Select(f => f.Path));
        var foo = files[0];
        Assert.Equal("foo", foo.Project.Value);
        Assert.Equal("1.0", foo.Version);
        Assert.Equal(DistributionType.Wheel, foo.Type);
        Assert.Equal(TestPackages.Sha256(wheel), foo.Sha256);
#pragma warning disable CA5351 // md5 is what the index publishes, not a security check
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(wheel)), foo.Md5);
#pragma warning restore CA5351
        Assert.Equal(wheel.Length, foo.Size);
        Assert.Equal(">=3.8", foo.RequiresPython);
        Assert.Equal("A test package", foo.Summary);
        Assert.Equal("bar-baz", files[1].Project.Value);
        Assert.Equal("2.0", files[1].Version);
        Assert.Equal(["bar-baz", "foo"], (await _folder.Catalog.ListProjectsAsync(Ct)).Select(p => p.Name.Value));
    }

    [Fact]
    public async Task A_wheel_gets_its_core_metadata_stored_for_pep_658()
    {
        var wheel = TestPackages.Wheel("foo", "1.0", requiresPython: ">=3.9");
        _folder.Drop("foo-1.0-py3-none-any.whl", wheel);

        await _folder.Indexer.ScanAsync(null, Ct);

        var file = (await _folder.Catalog.FindFileAsync("foo-1.0-py3-none-any.whl", Ct))!;
        var path = _folder.Blobs.ResolveKey(BlobKeys.Metadata(file.Sha256))!;
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        Assert.Equal(TestPackages.Sha256(bytes), file.MetadataSha256);
        Assert.Contains("Requires-Python: >=3.9", System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_archive_is_served_without_metadata_and_with_a_warning()
    {
        _folder.Drop("foo-1.0-py3-none-any.whl", "this is not a zip"u8.ToArray());

        await _folder.Indexer.ScanAsync(null, Ct);

        var file = await _folder.Catalog.FindFileAsync("foo-1.0-py3-none-any.whl", Ct);
        Assert.NotNull(file);
        Assert.Null(file.MetadataSha256);
        Assert.Contains(_folder.Log.Warnings, w => w.Contains("foo-1.0-py3-none-any.whl", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unrecognized_names_dot_files_and_the_private_area_are_skipped_with_one_warning_each()
    {
        _folder.Drop("README.txt", "hello"u8.ToArray());
        _folder.Drop("foo/not-a-package.zip.part", "x"u8.ToArray());
        _folder.Drop(".hidden-1.0.tar.gz", TestPackages.Sdist("hidden", "1.0"));
        _folder.Drop(".git/objects/foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));
        _folder.Drop(".clutch/tmp/bar-1.0.tar.gz", TestPackages.Sdist("bar", "1.0"));
        _folder.Drop("baz-1.0.tar.gz", TestPackages.Sdist("baz", "1.0"));

        await _folder.Indexer.ScanAsync(null, Ct);
        await _folder.Indexer.ScanAsync(null, Ct);

        Assert.Equal(["baz-1.0.tar.gz"], (await _folder.Catalog.GetAllFilesAsync(Ct)).Select(f => f.Path));
        Assert.Single(_folder.Log.Warnings, w => w.Contains("README.txt", StringComparison.Ordinal));
        Assert.Single(_folder.Log.Warnings, w => w.Contains("foo/not-a-package.zip.part", StringComparison.Ordinal));
        Assert.Equal(2, _folder.Log.Warnings.Count);
    }

    [Fact]
    public async Task A_file_whose_project_is_not_a_valid_name_is_skipped_with_one_warning()
    {
        _folder.Drop("caf\u00e9-1.0.tar.gz", TestPackages.Sdist("caf\u00e9", "1.0"));
        _folder.Drop("foo_-1.0.tar.gz", TestPackages.Sdist("foo_", "1.0"));
        _folder.Drop("ok-1.0.tar.gz", TestPackages.Sdist("ok", "1.0"));

        await _folder.Indexer.ScanAsync(null, Ct);
        await _folder.Indexer.ScanAsync(null, Ct);

        Assert.Equal(["ok-1.0.tar.gz"], (await _folder.Catalog.GetAllFilesAsync(Ct)).Select(f => f.Path));
        Assert.Single(_folder.Log.Warnings, w => w.Contains("caf\u00e9-1.0.tar.gz", StringComparison.Ordinal) && w.Contains("not a valid project name", StringComparison.Ordinal));
        Assert.Single(_folder.Log.Warnings, w => w.Contains("foo_-1.0.tar.gz", StringComparison.Ordinal) && w.Contains("not a valid project name", StringComparison.Ordinal));
        Assert.Equal(2, _folder.Log.Warnings.Count);
    }

    [Fact]
    public async Task A_restart_over_an_unchanged_folder_hashes_nothing()
    {
        for (var i = 0; i < 20; i++)
        {
            _folder.Drop($"p{i}/p{i}-1.0.tar.gz", TestPackages.Sdist($"p{i}", "1.0"));
        }

        await _folder.Indexer.ScanAsync(null, Ct);
        Assert.Equal(20, _folder.Indexer.HashCount);

        var restarted = _folder.NewIndexer();
        var result = await restarted.ScanAsync(null, Ct);

        Assert.Equal(0, restarted.HashCount);
        Assert.Equal((0, 20, 0), (result.Indexed, result.Unchanged, result.Removed));
    }

    [Fact]
    public async Task A_touched_file_with_the_same_bytes_keeps_its_upload_time()
    {
        var path = _folder.Drop("foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));
        await _folder.Indexer.ScanAsync(null, Ct);
        var first = await _folder.Catalog.FindFileAsync("foo-1.0.tar.gz", Ct);

        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-1));
        await Task.Delay(20, Ct);
        await _folder.Indexer.ScanAsync(null, Ct);

        var again = await _folder.Catalog.FindFileAsync("foo-1.0.tar.gz", Ct);
        Assert.Equal(first!.UploadTime, again!.UploadTime);
        Assert.NotEqual(first.SourceMtimeTicks, again.SourceMtimeTicks);
    }

    [Fact]
    public async Task Files_deleted_or_replaced_by_hand_are_caught_by_the_next_scan()
    {
        var keep = _folder.Drop("foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));
        var gone = _folder.Drop("foo-1.1.tar.gz", TestPackages.Sdist("foo", "1.1"));
        await _folder.Indexer.ScanAsync(null, Ct);

        File.Delete(gone);
        var replacement = TestPackages.Sdist("foo", "1.0", summary: "rebuilt");
        _folder.Drop("foo-1.0.tar.gz", replacement);
        var result = await _folder.Indexer.ScanAsync(null, Ct);

        Assert.Equal(1, result.Removed);
        var file = Assert.Single(await _folder.Catalog.GetAllFilesAsync(Ct));
        Assert.Equal(TestPackages.Sha256(replacement), file.Sha256);
        Assert.Equal("rebuilt", file.Summary);
        Assert.True(File.Exists(keep));
    }

    [Fact]
    public async Task A_file_dropped_while_a_scan_walks_is_indexed_by_the_watcher_at_once_and_once_only()
    {
        _folder.Drop("foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));
        await _folder.Indexer.ScanAsync(null, Ct);
        var hashed = _folder.Indexer.HashCount;
        _folder.Drop("foo-1.1.tar.gz", TestPackages.Sdist("foo", "1.1")); // the walk finds it new
        CatalogFile? watched = null;
        _folder.Indexer.AfterWalk = async () =>
        {
            // The walk is over but the scan has not applied anything: the watcher's batch for the
            // same file must not wait for the scan, and the scan must then leave the file alone.
            var batch = _folder.Indexer.IndexPathsAsync(["foo-1.1.tar.gz"], Ct);
            Assert.Same(batch, await Task.WhenAny(batch, Task.Delay(TimeSpan.FromSeconds(10), Ct)));
            Assert.Equal(1, (await batch).Indexed);
            watched = await _folder.Catalog.FindFileAsync("foo-1.1.tar.gz", Ct);
        };

        var result = await _folder.Indexer.ScanAsync(null, Ct);

        Assert.NotNull(watched);
        Assert.Equal((0, 0), (result.Indexed, result.Removed));
        Assert.Equal(hashed + 1, _folder.Indexer.HashCount);
        var now = await _folder.Catalog.FindFileAsync("foo-1.1.tar.gz", Ct);
        Assert.Equal(watched!.UploadTime, now!.UploadTime);
    }

    [Fact]
    public async Task A_file_replaced_while_a_scan_walks_past_its_folder_is_not_removed_by_that_scan()
    {
        var path = _folder.Drop("foo/foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));
        await _folder.Indexer.ScanAsync(null, Ct);
        File.Delete(path); // gone while the walk passes
        var replacement = TestPackages.Sdist("foo", "1.0", summary: "rebuilt");
        _folder.Indexer.AfterWalk = async () =>
        {
            _folder.Drop("foo/foo-1.0.tar.gz", replacement);
            Assert.Equal(1, (await _folder.Indexer.IndexPathsAsync(["foo/foo-1.0.tar.gz"], Ct)).Indexed);
        };

        var result = await _folder.Indexer.ScanAsync(null, Ct);

        Assert.Equal(0, result.Removed);
        var file = Assert.Single(await _folder.Catalog.GetAllFilesAsync(Ct));
        Assert.Equal(TestPackages.Sha256(replacement), file.Sha256);

        // Gone for good: the next scan removes it.
        _folder.Indexer.AfterWalk = null;
        File.Delete(path);
        Assert.Equal(1, (await _folder.Indexer.ScanAsync(null, Ct)).Removed);
        Assert.Empty(await _folder.Catalog.GetAllFilesAsync(Ct));
    }

    [Fact]
    public async Task The_same_filename_in_two_places_is_served_once()
    {
        _folder.Drop("foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));
        await _folder.Indexer.ScanAsync(null, Ct);
        _folder.Drop("foo/foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0", summary: "copy"));

        await _folder.Indexer.ScanAsync(null, Ct);

        Assert.Equal(["foo-1.0.tar.gz"], (await _folder.Catalog.GetAllFilesAsync(Ct)).Select(f => f.Path));
        Assert.Single(_folder.Log.Warnings, w => w.Contains("foo/foo-1.0.tar.gz", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_file_moved_into_its_project_folder_follows_and_keeps_its_upload_time()
    {
        var path = _folder.Drop("foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));
        await _folder.Indexer.ScanAsync(null, Ct);
        var before = await _folder.Catalog.FindFileAsync("foo-1.0.tar.gz", Ct);
        Directory.CreateDirectory(_folder.PathOf("foo"));
        File.Move(path, _folder.PathOf("foo/foo-1.0.tar.gz"));

        await _folder.Indexer.ScanAsync(null, Ct);

        var after = Assert.Single(await _folder.Catalog.GetAllFilesAsync(Ct));
        Assert.Equal("foo/foo-1.0.tar.gz", after.Path);
        Assert.Equal(before!.UploadTime, after.UploadTime);
    }

    [Fact]
    public async Task Links_files_publish_developer_links_and_their_deletion_removes_them()
    {
        var links = _folder.Drop("foo/Foo.links", """
            # trunk of foo
            https://svn.example.com/foo/trunk
            <a href="git+https://git.example.com/foo.git#egg=foo-dev">foo-dev</a>
            """u8.ToArray());
        await _folder.Indexer.ScanAsync(null, Ct);

        var found = await _folder.Catalog.GetDeveloperLinksAsync(ProjectName.Normalize("foo"), Ct);
        Assert.Equal(
            ["git+https://git.example.com/foo.git#egg=foo-dev", "https://svn.example.com/foo/trunk#egg=foo-dev"],
            found.Select(l => l.Url).Order(StringComparer.Ordinal));
        Assert.All(found, l => Assert.Equal("foo/Foo.links", l.Source));
        Assert.Equal(["foo"], (await _folder.Catalog.ListProjectsAsync(Ct)).Select(p => p.Name.Value));

        File.Delete(links);
        await _folder.Indexer.ScanAsync(null, Ct);

        Assert.Empty(await _folder.Catalog.GetAllDeveloperLinksAsync(Ct));
        Assert.Empty(await _folder.Catalog.ListProjectsAsync(Ct));
    }

    [Fact]
    public async Task Scan_reports_progress()
    {
        _folder.Drop("foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));
        var reports = new List<IndexProgress>();

        await _folder.Indexer.ScanAsync(new SyncProgress(reports.Add), Ct);

        Assert.Contains(reports, r => r.Phase == "hashing" && r.Hashed == 1 && r.ToHash == 1);
    }

    private sealed class SyncProgress(Action<IndexProgress> report) : IProgress<IndexProgress>
    {
        public void Report(IndexProgress value) => report(value);
    }
}
