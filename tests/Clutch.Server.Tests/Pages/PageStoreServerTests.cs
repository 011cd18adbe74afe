using System.Text;
using Clutch.Pages;
using Clutch.Server.Tests.Harness;
using Microsoft.Extensions.DependencyInjection;

namespace Clutch.Server.Tests.Pages;

/// <summary>
/// A real server whose page store file is replaced after a few KB of replaced pages: while files
/// keep arriving, every page (simple HTML and JSON, links, the whole-index links page) stays right,
/// plain and gzip, across the replacements.
/// </summary>
public sealed class PageStoreServerTests : IAsyncLifetime
{
    private static readonly string[] Steady = ["steady-a", "steady-b", "steady-c"];

    /// <summary>Enough files that the project's plain pages pass 16 KB: written from the store block by block.</summary>
    private const int BulkyVersions = 120;
    private InProcessServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await InProcessServer.StartAsync(
            root =>
            {
                foreach (var name in Steady)
                {
                    TestDistributions.Wheel(Path.Combine(root, name), name, "1.0");
                }

                TestDistributions.Wheel(Path.Combine(root, "churn"), "churn", "0.1");
            },
            o =>
            {
                o.PageStoreRotateBytes = 4 * 1024;
                o.PageCacheMegabytes = 0; // every plain answer comes back through the store too
            });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>
    /// The page plain, after checking its gzip answer inflates to the same bytes. A page still being
    /// rendered again for an earlier change (the whole-index one) may change between the two
    /// requests; a plain answer asked for again tells: the gzip one is compared only when the page
    /// stayed the same around it (pages here only ever gain files).
    /// </summary>
    private async Task<string> GetBothAsync(string path, string? accept = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var plain = await _server.GetPageBytesAsync(path, gzip: false, accept);
            var gzip = await _server.GetPageBytesAsync(path, gzip: true, accept);
            var after = await _server.GetPageBytesAsync(path, gzip: false, accept);
            if (plain.AsSpan().SequenceEqual(after) || attempt == 20)
            {
                Assert.Equal(plain, after);
                Assert.Equal(plain, gzip);
                return Encoding.UTF8.GetString(plain);
            }

            await Task.Delay(50);
        }
    }

    private async Task AllPagesAreRightAsync(int churnVersions)
    {
        foreach (var name in Steady)
        {
            var file = $"{name.Replace('-', '_')}-1.0-py3-none-any.whl";
            Assert.Contains(file, await GetBothAsync($"/simple/{name}/"));
            Assert.Contains(file, await GetBothAsync($"/simple/{name}/", "application/vnd.pypi.simple.v1+json"));
            Assert.Contains(file, await GetBothAsync($"/links/{name}/"));
        }

        var churn = await GetBothAsync("/simple/churn/");
        var all = await GetBothAsync("/links/");
        for (var v = 1; v <= churnVersions; v++)
        {
            Assert.Contains($"churn-0.1.{v}-py3-none-any.whl", churn);
            Assert.Contains($"churn-0.1.{v}-py3-none-any.whl", all);
        }
    }

    [Fact]
    public async Task Pages_stay_right_while_the_store_file_is_replaced_under_changes()
    {
        var store = _server.Services.GetRequiredService<PageCache>().Store;
        Assert.NotNull(store);
        await AllPagesAreRightAsync(0);

        const int Versions = 12;
        for (var v = 1; v <= Versions; v++)
        {
            var file = await _server.AddWheelAsync("churn", "churn", $"0.1.{v}");
            Assert.True(await _server.WaitForPageAsync("/simple/churn/", html => html.Contains(file, StringComparison.Ordinal), TimeSpan.FromSeconds(20)));
            Assert.Contains(file, await GetBothAsync("/links/")); // the whole-index page, rendered again each time
        }

        Assert.True(store.Rotations >= 1, $"the store file was never replaced ({store.Length} bytes, {store.DeadBytes} dead)");
        await AllPagesAreRightAsync(Versions);
    }

    [Fact]
    public async Task A_page_over_16_KB_is_written_from_the_store_block_by_block_plain_and_gzip()
    {
        for (var v = 0; v < BulkyVersions; v++)
        {
            await _server.AddWheelAsync("bulky", "bulky", $"2.{v}");
        }

        var last = $"bulky-2.{BulkyVersions - 1}-py3-none-any.whl";
        Assert.True(await _server.WaitForPageAsync("/simple/bulky/", html => html.Contains(last, StringComparison.Ordinal), TimeSpan.FromSeconds(30)));

        // No page budget: both plain answers come from the store, past the 16 KB single-read path.
        var html = await GetBothAsync("/simple/bulky/");
        var json = await GetBothAsync("/simple/bulky/", "application/vnd.pypi.simple.v1+json");
        Assert.True(Encoding.UTF8.GetByteCount(html) > 16 * 1024, $"the page is only {html.Length} characters");
        Assert.True(Encoding.UTF8.GetByteCount(json) > 16 * 1024, $"the JSON page is only {json.Length} characters");
        for (var v = 0; v < BulkyVersions; v++)
        {
            Assert.Contains($"bulky-2.{v}-py3-none-any.whl", html);
            Assert.Contains($"bulky-2.{v}-py3-none-any.whl", json);
        }
    }
}
