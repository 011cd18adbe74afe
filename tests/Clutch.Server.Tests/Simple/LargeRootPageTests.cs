using System.IO.Compression;
using System.Net;
using Clutch.Server.Tests.Harness;

namespace Clutch.Server.Tests.Simple;

/// <summary>
/// A root page larger than a few of Kestrel's 4 KB blocks is written after its headers into one
/// buffer of its full size; the bytes, lengths and conditional answers must be those of any page.
/// </summary>
public sealed class LargeRootPageTests : IAsyncLifetime
{
    private const int Projects = 700;
    private InProcessServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await InProcessServer.StartAsync(root =>
        {
            for (var i = 0; i < Projects; i++)
            {
                TestDistributions.Wheel(root, $"large-root-project-{i:D4}", "1.0");
            }
        });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Large_root_page_plain_gzip_head_and_304_agree()
    {
        var client = _server.Client;
        using var plainResponse = await client.GetAsync("/simple/");
        Assert.Equal(HttpStatusCode.OK, plainResponse.StatusCode);
        var plain = await plainResponse.Content.ReadAsByteArrayAsync();
        Assert.True(plain.Length > 32 * 1024, $"the root page is {plain.Length} bytes; the test wants one past the large-body threshold");
        Assert.Equal(plain.Length, plainResponse.Content.Headers.ContentLength);
        var html = System.Text.Encoding.UTF8.GetString(plain);
        Assert.Contains(">large-root-project-0000<", html);
        Assert.Contains(">large-root-project-0699<", html);
        Assert.EndsWith("</html>\n", html);

        using var gzipRequest = new HttpRequestMessage(HttpMethod.Get, "/simple/");
        gzipRequest.Headers.AcceptEncoding.ParseAdd("gzip");
        using var gzipResponse = await client.SendAsync(gzipRequest);
        var compressed = await gzipResponse.Content.ReadAsByteArrayAsync();
        Assert.Equal("gzip", Assert.Single(gzipResponse.Content.Headers.ContentEncoding));
        Assert.Equal(compressed.Length, gzipResponse.Content.Headers.ContentLength);
        using var gz = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var decoded = new MemoryStream();
        await gz.CopyToAsync(decoded);
        Assert.Equal(plain, decoded.ToArray());

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/simple/"));
        Assert.Equal(plain.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/simple/");
        conditional.Headers.IfNoneMatch.Add(plainResponse.Headers.ETag!);
        using var notModified = await client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        // Many at once on separate connections: every body whole and identical.
        var bodies = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            using var c = new HttpClient { BaseAddress = _server.BaseAddress };
            return await c.GetByteArrayAsync("/simple/");
        }));
        Assert.All(bodies, b => Assert.Equal(plain, b));
    }
}
