using System.IO.Compression;
using System.Net;
using Clutch.Server.Tests.Harness;

namespace Clutch.Server.Tests.Simple;

/// <summary>
/// With no room for plain page bytes, every plain answer is decompressed into a pooled buffer that
/// goes back to the pool once written, or for a page past <see cref="Clutch.Pages.RenderedPage.MaxRentedLength"/>
/// (the root page here) decompressed as it is sent. Many such answers at once must each carry
/// exactly the bytes the gzip answer decodes to.
/// </summary>
public sealed class EvictedPageTests : IAsyncLifetime
{
    private const int Projects = 1200;
    private InProcessServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await InProcessServer.StartAsync(
            root =>
            {
                for (var i = 0; i < Projects; i++)
                {
                    TestDistributions.Wheel(root, $"evicted-page-{i:D4}", "1.0");
                    if (i % 100 == 7)
                    {
                        TestDistributions.Wheel(root, $"evicted-page-{i:D4}", "2.0");
                    }
                }
            },
            o => o.PageCacheMegabytes = 0);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<byte[]> GetAsync(string path, bool gzip, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (gzip)
        {
            request.Headers.AcceptEncoding.ParseAdd("gzip");
        }

        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        using var response = await _server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        Assert.Equal(gzip, response.Content.Headers.ContentEncoding.Contains("gzip"));
        if (!gzip)
        {
            return body;
        }

        using var gz = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        await gz.CopyToAsync(plain);
        return plain.ToArray();
    }

    [Theory]
    [InlineData("/simple/", null)]
    [InlineData("/simple/evicted-page-0007/", null)]
    [InlineData("/simple/evicted-page-0007/", "application/vnd.pypi.simple.v1+json")]
    [InlineData("/links/evicted-page-0123/", null)]
    public async Task Concurrent_plain_answers_of_a_page_not_held_are_each_its_exact_bytes(string path, string? accept)
    {
        var expected = await GetAsync(path, gzip: true, accept);
        Assert.True(expected.Length > 200, $"{path} decoded to {expected.Length} bytes");
        if (path == "/simple/")
        {
            Assert.True(expected.Length > Clutch.Pages.RenderedPage.MaxRentedLength, $"the root page is {expected.Length} bytes; the test wants it streamed");
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
}
