using System.Net;
using Clutch.Server.Tests.Harness;

namespace Clutch.Server.Tests.Links;

public class LinksEndpointTests(SeededServerFixture fixture) : IClassFixture<SeededServerFixture>
{
    private readonly HttpClient _client = fixture.Server.Client;

    [Fact]
    public async Task Links_root_lists_every_file_and_every_developer_link()
    {
        var html = await _client.GetStringAsync("/links/");
        Assert.Contains("href=\"../files/alpha-1.0-py3-none-any.whl#sha256=", html);
        Assert.Contains("href=\"../files/alpha/alpha-2.0-py3-none-any.whl#sha256=", html);
        Assert.Contains("href=\"../files/Beta_Pkg-0.1.tar.gz#sha256=", html);
        Assert.Contains("href=\"git+https://vcs.example/gamma.git#egg=gamma-dev\"", html);
        Assert.Contains("href=\"hg+https://vcs.example/gamma#egg=gamma-dev\"", html);
    }

    [Fact]
    public async Task Links_root_plain_and_gzip_carry_the_same_page_in_file_order()
    {
        // The whole-index page is rendered straight into gzip and decompressed as a plain answer is sent.
        using var plainResponse = await _client.GetAsync("/links/");
        var plain = await plainResponse.Content.ReadAsByteArrayAsync();
        Assert.Equal(plain.Length, plainResponse.Content.Headers.ContentLength);
        Assert.Empty(plainResponse.Content.Headers.ContentEncoding);

        using var handler = new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None };
        using var raw = new HttpClient(handler) { BaseAddress = fixture.Server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/links/");
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var gzipResponse = await raw.SendAsync(request);
        Assert.Equal("gzip", Assert.Single(gzipResponse.Content.Headers.ContentEncoding));
        var compressed = await gzipResponse.Content.ReadAsByteArrayAsync();
        Assert.Equal(compressed.Length, gzipResponse.Content.Headers.ContentLength);
        using var gz = new System.IO.Compression.GZipStream(new MemoryStream(compressed), System.IO.Compression.CompressionMode.Decompress);
        using var decoded = new MemoryStream();
        await gz.CopyToAsync(decoded);
        Assert.Equal(plain, decoded.ToArray());
        Assert.NotEqual(plainResponse.Headers.ETag, gzipResponse.Headers.ETag);

        // HEAD gives the plain length without a body.
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/links/"));
        Assert.Equal(plain.Length, head.Content.Headers.ContentLength);

        // Files by project, then filename (ordinal): alpha's three, then beta-pkg's.
        var html = System.Text.Encoding.UTF8.GetString(plain);
        var order = new[] { "alpha-1.0-py3-none-any.whl", "alpha-1.5.dev1234.tar.gz", "alpha-2.0-py3-none-any.whl", "Beta_Pkg-0.1.tar.gz" }
            .Select(f => html.IndexOf(">" + f + "<", StringComparison.Ordinal)).ToArray();
        Assert.All(order, i => Assert.True(i > 0));
        Assert.Equal(order.Order().ToArray(), order);
    }

    [Theory]
    [InlineData("/links/")]
    [InlineData("/links/alpha/")]
    public async Task Links_pages_carry_requires_python_escaped_as_the_simple_page_does(string path)
    {
        var html = await _client.GetStringAsync(path);

        Assert.Contains("alpha-2.0-py3-none-any.whl#sha256=", html);
        var link = html.Split('\n').Single(l => l.Contains(">alpha-2.0-py3-none-any.whl<", StringComparison.Ordinal));
        Assert.Contains(" data-requires-python=\"&gt;=3.8,&lt;4 &amp; &quot;x&quot;\">", link);
        var plain = html.Split('\n').Single(l => l.Contains(">alpha-1.0-py3-none-any.whl<", StringComparison.Ordinal));
        Assert.DoesNotContain("data-requires-python", plain);
        Assert.DoesNotContain("data-yanked", html);
    }

    [Fact]
    public async Task Credentials_in_developer_links_are_never_rendered()
    {
        foreach (var path in new[] { "/links/", "/links/gamma/" })
        {
            var html = await _client.GetStringAsync(path);
            Assert.DoesNotContain("s3cret", html);
            Assert.DoesNotContain("buildbot", html);
        }
    }

    [Fact]
    public async Task Project_links_page_lists_its_files_and_links_only()
    {
        var html = await _client.GetStringAsync("/links/alpha/");
        Assert.Contains("href=\"../../files/alpha-1.0-py3-none-any.whl#sha256=", html);
        Assert.DoesNotContain("Beta_Pkg", html);
        var gamma = await _client.GetStringAsync("/links/gamma/");
        Assert.Contains("#egg=gamma-dev", gamma);
    }

    [Fact]
    public async Task Unknown_project_links_page_is_404()
    {
        using var r = await _client.GetAsync("/links/nothing-here/");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
    }
}
