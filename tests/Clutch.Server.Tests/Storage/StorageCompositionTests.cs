using Clutch.Storage;
using Clutch.Storage.Folder;
using Clutch.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Clutch.Server.Tests.Storage;

/// <summary>The storage defaults wired the way the server composes them.</summary>
public sealed class StorageCompositionTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_host_with_the_folder_defaults_indexes_a_dropped_file_and_reports_ready()
    {
        var root = _temp.Combine("packages");
        var builder = Host.CreateApplicationBuilder();
        builder.Services
            .AddSqliteCatalog(Path.Combine(root, ".clutch", "catalog.db"))
            .AddFolderBlobStore(root)
            .AddFolderIndexer(new FolderIndexerOptions { Root = root, Debounce = TimeSpan.FromMilliseconds(100) });
        using var host = builder.Build();

        await host.StartAsync();
        try
        {
            var status = host.Services.GetRequiredService<IndexerStatus>();
            var catalog = host.Services.GetRequiredService<ICatalog>();
            Assert.True(status.IsReady); // cold start: the (empty) first scan finished before start returned
            Assert.Same(host.Services.GetRequiredService<FolderBlobStore>(), host.Services.GetRequiredService<IBlobStore>());
            Assert.Same(catalog, host.Services.GetRequiredService<Clutch.Storage.Indexes.IIndexStore>());

            var bytes = TestPackages.Wheel("foo", "1.0");
            await File.WriteAllBytesAsync(Path.Combine(root, "foo-1.0-py3-none-any.whl"), bytes);

            Assert.True(await Eventually.TrueAsync(
                async () => (await catalog.FindFileAsync("foo-1.0-py3-none-any.whl", CancellationToken.None))?.Sha256 == TestPackages.Sha256(bytes),
                TimeSpan.FromSeconds(5))); // wiring, not latency: FolderWatcherTests hold the one-second bound
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
