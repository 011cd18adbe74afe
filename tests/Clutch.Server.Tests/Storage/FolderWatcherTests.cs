using System.Collections.Concurrent;
using System.Diagnostics;
using Clutch.Server.Tests.Harness;
using Clutch.Storage;
using Clutch.Storage.Folder;

namespace Clutch.Server.Tests.Storage;

/// <summary>The indexer service with a real FileSystemWatcher over a real folder.</summary>
[Collection(TimingCollection.Name)]
public sealed class FolderWatcherTests : IAsyncLifetime
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);
    private readonly IndexedFolder _folder = new(settle: TimeSpan.FromMilliseconds(100));
    private readonly IndexerStatus _status = new();
    private FolderIndexerService? _service;

    private static CancellationToken Ct => CancellationToken.None;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.StopAsync(Ct);
            _service.Dispose();
        }

        _folder.Dispose();
    }

    private async Task StartAsync()
    {
        _service = _folder.NewService(_status);
        await _service.StartAsync(Ct);
        await _status.InitialScan.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    /// <summary>Copies bytes in the way <c>cp</c> does: create, write, close.</summary>
    private string CopyIn(string relative, byte[] bytes)
    {
        var path = _folder.PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private Task<bool> CatalogHasAsync(string filename, Func<CatalogFile?, bool> condition, TimeSpan within)
        => Eventually.TrueAsync(async () => condition(await _folder.Catalog.FindFileAsync(filename, Ct)), within);

    [Fact]
    public async Task A_file_copied_into_the_folder_is_in_the_catalog_within_a_second()
    {
        await StartAsync();

        var bytes = TestPackages.Wheel("foo", "1.0");
        CopyIn("foo/foo-1.0-py3-none-any.whl", bytes);

        Assert.True(await CatalogHasAsync("foo-1.0-py3-none-any.whl", f => f?.Sha256 == TestPackages.Sha256(bytes), OneSecond));
    }

    [Fact]
    public async Task A_file_deleted_by_hand_leaves_the_catalog_within_a_second()
    {
        var path = _folder.Drop("foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));
        await StartAsync();
        Assert.NotNull(await _folder.Catalog.FindFileAsync("foo-1.0.tar.gz", Ct));

        File.Delete(path);

        Assert.True(await CatalogHasAsync("foo-1.0.tar.gz", f => f is null, OneSecond));
        Assert.Empty(await _folder.Catalog.ListProjectsAsync(Ct));
    }

    [Fact]
    public async Task A_file_replaced_by_hand_gets_its_new_sha256_within_a_second()
    {
        _folder.Drop("foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));
        await StartAsync();

        var replacement = TestPackages.Sdist("foo", "1.0", summary: "rebuilt");
        CopyIn("foo-1.0.tar.gz", replacement);

        Assert.True(await CatalogHasAsync("foo-1.0.tar.gz", f => f?.Sha256 == TestPackages.Sha256(replacement), OneSecond));
    }

    [Fact]
    public async Task A_links_file_dropped_in_publishes_its_links_within_a_second()
    {
        await StartAsync();

        CopyIn("foo.links", "https://svn.example.com/foo/trunk\n"u8.ToArray());

        Assert.True(await Eventually.TrueAsync(
            async () => (await _folder.Catalog.GetAllDeveloperLinksAsync(Ct)).Count == 1, OneSecond));
    }

    [Fact]
    public async Task A_half_written_file_is_never_recorded_with_a_hash_other_than_its_final_one()
    {
        await StartAsync();
        var recorded = new ConcurrentQueue<string>();
        _folder.Catalog.Changed += (_, _) =>
        {
            var file = _folder.Catalog.FindFileAsync("foo-1.0-py3-none-any.whl", CancellationToken.None).GetAwaiter().GetResult();
            if (file is not null)
            {
                recorded.Enqueue(file.Sha256);
            }
        };
        var filler = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48 * 1024));
        var bytes = TestPackages.Wheel("foo", "1.0", filler: filler);

        // Written in 32 slow chunks; pauses shorter than the settle time, as a slow copy would.
        await using (var output = new FileStream(_folder.PathOf("foo-1.0-py3-none-any.whl"), FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite))
        {
            var chunk = bytes.Length / 32 + 1;
            for (var offset = 0; offset < bytes.Length; offset += chunk)
            {
                await output.WriteAsync(bytes.AsMemory(offset, Math.Min(chunk, bytes.Length - offset)), Ct);
                await output.FlushAsync(Ct);
                await Task.Delay(40, Ct);
            }
        }

        var final = TestPackages.Sha256(bytes);
        Assert.True(await CatalogHasAsync("foo-1.0-py3-none-any.whl", f => f?.Sha256 == final, OneSecond));
        Assert.All(recorded, sha => Assert.Equal(final, sha));
    }

    [Fact]
    public async Task A_burst_of_drops_is_indexed_in_a_few_batched_transactions()
    {
        await StartAsync();
        var transactions = 0;
        _folder.Catalog.Changed += (_, _) => Interlocked.Increment(ref transactions);

        var sdist = TestPackages.Sdist("burst", "1.0");
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < 1000; i++)
        {
            CopyIn($"burst-1.{i}.tar.gz", sdist);
        }

        Assert.True(await Eventually.TrueAsync(
            async () => (await _folder.Catalog.GetAllFilesAsync(Ct)).Count == 1000, TimeSpan.FromSeconds(15)),
            $"indexed {(await _folder.Catalog.GetAllFilesAsync(Ct)).Count} of 1000");
        Assert.True(transactions <= 30, $"{transactions} transactions for 1000 files ({stopwatch.Elapsed})");
    }

    [Fact]
    public async Task A_warm_start_answers_at_once_and_becomes_ready_after_the_background_scan()
    {
        _folder.Drop("foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));
        await _folder.Indexer.ScanAsync(null, Ct);
        _folder.Drop("foo-1.1.tar.gz", TestPackages.Sdist("foo", "1.1")); // arrived while the server was down

        _service = _folder.NewService(_status);
        await _service.StartAsync(Ct);

        Assert.NotNull(await _folder.Catalog.FindFileAsync("foo-1.0.tar.gz", Ct)); // served from the catalog
        await _status.InitialScan.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True(_status.IsReady);
        Assert.NotNull(await _folder.Catalog.FindFileAsync("foo-1.1.tar.gz", Ct));
    }

    [Fact]
    public async Task A_cold_start_finishes_the_first_scan_before_start_returns()
    {
        _folder.Drop("foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));

        _service = _folder.NewService(_status);
        await _service.StartAsync(Ct);

        Assert.True(_status.IsReady);
        Assert.NotNull(await _folder.Catalog.FindFileAsync("foo-1.0.tar.gz", Ct));
    }

    [Fact]
    public async Task A_project_folder_moved_in_whole_is_indexed()
    {
        await StartAsync();
        var staging = Path.Combine(Path.GetDirectoryName(_folder.Root)!, "staging");
        Directory.CreateDirectory(staging);
        await File.WriteAllBytesAsync(Path.Combine(staging, "foo-1.0.tar.gz"), TestPackages.Sdist("foo", "1.0"), Ct);
        File.SetLastWriteTimeUtc(Path.Combine(staging, "foo-1.0.tar.gz"), DateTime.UtcNow.AddMinutes(-1));

        Directory.Move(staging, _folder.PathOf("foo"));

        Assert.True(await CatalogHasAsync("foo-1.0.tar.gz", f => f?.Path == "foo/foo-1.0.tar.gz", OneSecond));
    }

    [Fact]
    public async Task The_periodic_reconcile_catches_what_no_watcher_reported()
    {
        _folder.Options.Watch = false;
        _folder.Options.ReconcileInterval = TimeSpan.FromMilliseconds(300);
        await StartAsync();

        _folder.Drop("foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));

        Assert.True(await CatalogHasAsync("foo-1.0.tar.gz", f => f is not null, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task A_project_folder_moved_out_of_the_folder_leaves_the_catalog()
    {
        _folder.Drop("foo/foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));
        _folder.Drop("bar/bar-1.0.tar.gz", TestPackages.Sdist("bar", "1.0"));
        await StartAsync();

        Directory.Move(_folder.PathOf("foo"), Path.Combine(Path.GetDirectoryName(_folder.Root)!, "foo-archived"));

        Assert.True(await CatalogHasAsync("foo-1.0.tar.gz", f => f is null, OneSecond));
        Assert.NotNull(await _folder.Catalog.FindFileAsync("bar-1.0.tar.gz", Ct));
    }
}
