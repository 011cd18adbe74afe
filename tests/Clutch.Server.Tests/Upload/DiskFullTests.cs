using System.Net;
using System.Security.Cryptography;
using Clutch.Server.Tests.Harness;
using Clutch.Server.Tests.Manage;
using Clutch.Storage;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Upload;

/// <summary>A full disk is not the client's fault: 507 with a plain message, nothing half-stored. Real ENOSPC and SQLITE_FULL on a tiny tmpfs.</summary>
[Collection(TimingCollection.Name)]
public sealed class DiskFullTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_upload_that_fills_the_disk_is_507_with_a_plain_message_and_leaves_nothing_behind()
    {
        using var disk = SmallDisk.TryMount(8, out var why);
        if (disk is null)
        {
            output.WriteLine("Skipped: " + why);
            return;
        }

        await using var server = await InProcessServer.StartAsync(root: disk.Path, configure: o => o.MaxUploadBytes = 16 * 1024 * 1024);
        await server.AddUserAsync("alice");
        (await server.UploadWheelAsync("small", "1.0")).EnsureSuccessStatusCode();
        var before = server.PublicFiles();
        disk.Fill(leaveBytes: 512 * 1024);

        var big = WheelBytes("big", "1.0", Convert.ToBase64String(RandomNumberGenerator.GetBytes(2 * 1024 * 1024)));
        using var response = await server.UploadAsync(Form(big, "big-1.0-py3-none-any.whl", "big", "1.0"));

        Assert.Equal((HttpStatusCode)507, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(StorageFull.Message + "\n", body);
        Assert.DoesNotContain(disk.Path, body + response.ReasonPhrase, StringComparison.Ordinal);
        Assert.Empty(server.TempFiles());
        Assert.Equal(before, server.PublicFiles());
        using var page = await server.Client.GetAsync("/simple/big/");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);

        disk.Free();
        using var again = await server.UploadAsync(Form(big, "big-1.0-py3-none-any.whl", "big", "1.0"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [FolderFact("the SQLite catalog filling its disk")]
    public async Task A_catalog_that_cannot_grow_is_507_to_uploads_and_yanks_and_nothing_is_half_done()
    {
        using var disk = SmallDisk.TryMount(4, out var why);
        if (disk is null)
        {
            output.WriteLine("Skipped: " + why);
            return;
        }

        await using var server = await InProcessServer.StartAsync(configure: o => o.Catalog = Path.Combine(disk.Path, "catalog.db"));
        await server.AddUserAsync("alice");
        (await server.UploadWheelAsync("demo", "1.0")).EnsureSuccessStatusCode();
        var before = server.PublicFiles();
        disk.Fill();

        using var upload = await server.UploadWheelAsync("demo", "2.0");
        using var yank = await server.YankAsync("demo", "demo-1.0-py3-none-any.whl", "broken");

        Assert.Equal((HttpStatusCode)507, upload.StatusCode);
        Assert.Equal(StorageFull.Message + "\n", await upload.Content.ReadAsStringAsync());
        Assert.Equal((HttpStatusCode)507, yank.StatusCode);
        Assert.Contains("storage is full", await yank.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, server.PublicFiles()); // the uploaded file was taken out of the folder again
        Assert.Empty(server.TempFiles());
        var catalog = server.Services.GetRequiredService<ICatalog>();
        Assert.False((await catalog.FindFileAsync("demo-1.0-py3-none-any.whl", CancellationToken.None))!.Yanked);
        Assert.Null(await catalog.FindFileAsync("demo-2.0-py3-none-any.whl", CancellationToken.None));

        disk.Free();
        using var yankAgain = await server.YankAsync("demo", "demo-1.0-py3-none-any.whl", "broken");
        Assert.Equal(HttpStatusCode.OK, yankAgain.StatusCode);
    }
}
