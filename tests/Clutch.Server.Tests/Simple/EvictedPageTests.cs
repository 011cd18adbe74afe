using Clutch.Server.Tests.Harness;
using Microsoft.Extensions.DependencyInjection;

namespace Clutch.Server.Tests.Simple;

/// <summary>
/// With no room for plain page bytes, every plain answer is decompressed into a pooled buffer that
/// goes back to the pool once written, or for a page past <see cref="Clutch.Pages.RenderedPage.MaxRentedLength"/>
/// (the page of a project with hundreds of files here) decompressed as it is sent. Many such
/// answers at once must each carry exactly the bytes the gzip answer decodes to. The root pages are
/// kept plain whatever the budget.
/// </summary>
public sealed class EvictedPageTests(EvictedPageTests.Seeded fixture) : IClassFixture<EvictedPageTests.Seeded>
{
    private const int Projects = 1200;
    private const int LargeProject = 11; // 240 versions: its pages are past 64 KB
    private readonly InProcessServer _server = fixture.Server;

    /// <summary>One server for the class, without a page budget (the tests only read from it).</summary>
    public sealed class Seeded : IAsyncLifetime
    {
        public InProcessServer Server { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Server = await InProcessServer.StartAsync(
                root =>
                {
                    for (var i = 0; i < Projects; i++)
                    {
                        TestDistributions.Wheel(root, $"evicted-page-{i:D4}", "1.0");
                        if (i % 100 == 7)
                        {
                            TestDistributions.Wheel(root, $"evicted-page-{i:D4}", "2.0");
                        }

                        for (var v = 1; i == LargeProject && v <= 240; v++)
                        {
                            TestDistributions.Wheel(root, $"evicted-page-{i:D4}", $"1.0.{v}");
                        }
                    }
                },
                o => o.PageCacheMegabytes = 0);

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }

    private Task<byte[]> GetAsync(string path, bool gzip, string? accept = null) => _server.GetPageBytesAsync(path, gzip, accept);

    [Theory]
    [InlineData("/simple/", null)]
    [InlineData("/simple/evicted-page-0011/", null)]
    [InlineData("/simple/evicted-page-0011/", "application/vnd.pypi.simple.v1+json")]
    [InlineData("/simple/evicted-page-0007/", null)]
    [InlineData("/simple/evicted-page-0007/", "application/vnd.pypi.simple.v1+json")]
    [InlineData("/links/evicted-page-0123/", null)]
    public async Task Concurrent_plain_answers_of_a_page_not_held_are_each_its_exact_bytes(string path, string? accept)
    {
        var expected = await GetAsync(path, gzip: true, accept);
        Assert.True(expected.Length > 200, $"{path} decoded to {expected.Length} bytes");
        if (path.Contains($"{LargeProject:D4}", StringComparison.Ordinal))
        {
            Assert.True(expected.Length > Clutch.Pages.RenderedPage.MaxRentedLength, $"{path} is {expected.Length} bytes; the test wants it streamed");
        }

        // Other pages answered in between reuse the pooled buffers; a buffer handed back too early
        // would show up as another page's bytes in one of these bodies.
        string Other(int i) => $"/simple/evicted-page-{i * 7 % Projects:D4}/";
        var tasks = Enumerable.Range(0, 64).Select(i => i % 2 == 0 ? GetAsync(path, gzip: false, accept) : GetAsync(Other(i), gzip: false)).ToArray();
        var bodies = await Task.WhenAll(tasks);
        for (var i = 0; i < bodies.Length; i++)
        {
            Assert.Equal(i % 2 == 0 ? expected : await GetAsync(Other(i), gzip: true), bodies[i]);
        }
    }

    [Fact]
    public async Task Root_pages_stay_plain_without_a_page_budget()
    {
        var html = await GetAsync("/simple/", gzip: false);
        var json = await GetAsync("/simple/", gzip: false, "application/vnd.pypi.simple.v1+json");

        var root = await _server.Services.GetRequiredService<Clutch.Pages.PageCache>().GetRootAsync();
        Assert.True(root.SimpleHtml.HoldsBytes);
        Assert.True(root.SimpleJson.HoldsBytes);
        Assert.True(root.SimpleHtml.TryGetPlain(out var plain, out var rented));
        Assert.Null(rented); // the held bytes themselves, not a decompressed copy
        Assert.Equal(html, plain.ToArray());
        Assert.Equal(json, await GetAsync("/simple/", gzip: true, "application/vnd.pypi.simple.v1+json"));
    }
}
