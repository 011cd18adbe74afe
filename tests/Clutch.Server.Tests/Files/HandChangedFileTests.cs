using System.Net;
using System.Security.Cryptography;
using Clutch.Server.Tests.Harness;
using Clutch.Server.Tests.Storage;

namespace Clutch.Server.Tests.Files;

/// <summary>
/// Files changed by hand under a running server (watcher on): a download never sends bytes under a
/// hash they do not have, and a file the server cannot read is a clear answer, never a 500.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class HandChangedFileTests
{
    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [FolderTheory]
    [InlineData(0)]          // small: read whole, could be held in memory
    [InlineData(200_000)]    // large: streamed from the open file
    public async Task A_file_replaced_by_hand_with_its_size_and_mtime_put_back_is_never_served_under_its_old_hash(int filler)
    {
        var original = TestPackages.Wheel("swap", "1.0", filler: Convert.ToBase64String(RandomNumberGenerator.GetBytes(filler * 3 / 4)));
        await using var server = await InProcessServer.StartAsync(root => File.WriteAllBytes(Path.Combine(root, "swap-1.0-py3-none-any.whl"), original));
        var path = Path.Combine(server.Root, "swap-1.0-py3-none-any.whl");
        Assert.Contains("#sha256=" + Sha256(original), await server.Client.GetStringAsync("/simple/swap/"), StringComparison.Ordinal);

        // What `cp -p` of a rebuilt file of the same size leaves: other bytes, the old mtime.
        var mtime = File.GetLastWriteTimeUtc(path);
        var changed = (byte[])original.Clone();
        changed[^30] ^= 0xff;
        await File.WriteAllBytesAsync(path, changed);
        File.SetLastWriteTimeUtc(path, mtime);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            using var response = await server.Client.GetAsync("/files/swap-1.0-py3-none-any.whl");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                // Whatever is sent is what its ETag (the listed sha256) says.
                var body = await response.Content.ReadAsByteArrayAsync();
                Assert.Equal(response.Headers.ETag!.Tag.Trim('"'), Sha256(body));
                if (body.AsSpan().SequenceEqual(changed))
                {
                    break;
                }
            }
            else
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            }

            Assert.True(DateTime.UtcNow < deadline, "the replaced file was never re-indexed");
            await Task.Delay(50);
        }

        Assert.Contains("#sha256=" + Sha256(changed), await server.Client.GetStringAsync("/simple/swap/"), StringComparison.Ordinal);
    }

    [FolderFact]
    public async Task A_listed_file_the_server_cannot_read_is_answered_cleanly_and_leaves_the_listing()
    {
        await using var server = await InProcessServer.StartAsync(root => TestDistributions.Wheel(root, "gone", "1.0"));
        var path = Path.Combine(server.Root, "gone-1.0-py3-none-any.whl");

        File.Delete(path);
        Directory.CreateDirectory(path); // something the server cannot read as a file, root or not

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            using var response = await server.Client.GetAsync("/files/gone-1.0-py3-none-any.whl");
            Assert.Contains(response.StatusCode, new[] { HttpStatusCode.ServiceUnavailable, HttpStatusCode.NotFound });
            Assert.DoesNotContain(server.Root, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "the unreadable file stayed listed");
            await Task.Delay(20);
        }

        using var page = await server.Client.GetAsync("/simple/gone/");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
    }
}
