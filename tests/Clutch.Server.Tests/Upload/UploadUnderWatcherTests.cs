using System.Net;
using System.Security.Cryptography;
using Clutch.Server.Tests.Harness;
using Clutch.Storage;
using Clutch.Storage.Folder;
using Microsoft.Extensions.DependencyInjection;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Upload;

/// <summary>Uploads land in the watched folder: the watcher must leave each upload's row to the upload.</summary>
[Collection(TimingCollection.Name)]
public sealed class UploadUnderWatcherTests
{
    [FolderFact("the folder watcher")]
    public async Task Concurrent_uploads_with_the_watcher_on_keep_every_upload_row_and_are_never_rehashed_by_the_indexer()
    {
        await using var server = await InProcessServer.StartAsync(configure: o => o.MaxUploadBytes = 16 * 1024 * 1024);
        await server.AddUserAsync("alice");
        var indexer = server.Services.GetRequiredService<FolderIndexer>();
        var catalog = server.Services.GetRequiredService<ICatalog>();
        const int uploads = 32;
        var payload = Convert.ToBase64String(RandomNumberGenerator.GetBytes(1536 * 1024)); // ~1.5 MB wheels: hashing takes a while

        using var parallel = new SemaphoreSlim(6);
        var statuses = await Task.WhenAll(Enumerable.Range(0, uploads).Select(async i =>
        {
            await parallel.WaitAsync();
            try
            {
                var bytes = WheelBytes($"stress-{i}", "1.0", payload + i, metadataName: $"Stress.{i}");
                using var response = await server.UploadAsync(Form(bytes, $"stress_{i}-1.0-py3-none-any.whl", $"Stress.{i}", "1.0"));
                return response.StatusCode;
            }
            finally
            {
                parallel.Release();
            }
        }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        await Task.Delay(1500); // the watcher's batches (debounce, retries of held paths) are done
        var projects = (await catalog.ListProjectsAsync(CancellationToken.None)).ToDictionary(p => p.Name.Value, p => p.DisplayName);
        for (var i = 0; i < uploads; i++)
        {
            var file = await catalog.FindFileAsync($"stress_{i}-1.0-py3-none-any.whl", CancellationToken.None);
            Assert.NotNull(file);
            Assert.Equal("alice", file.Uploader);
            Assert.NotNull(file.MetadataSha256);
            Assert.Equal($"Stress.{i}", projects[$"stress-{i}"]);
        }

        Assert.Equal(0, indexer.HashCount);
    }
}
