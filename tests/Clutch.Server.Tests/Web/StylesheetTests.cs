using System.Net;
using System.Security.Cryptography;
using Clutch.Server.Tests.Harness;

namespace Clutch.Server.Tests.Web;

/// <summary>The one stylesheet: linked by its hash from every page, cached for a year, revalidated by ETag.</summary>
public sealed class StylesheetTests(SeededServerFixture fixture) : IClassFixture<SeededServerFixture>
{
    private readonly HttpClient _client = fixture.Server.Client;

    [Fact]
    public async Task Pages_link_the_stylesheet_by_the_hash_of_its_bytes_and_it_is_cached_for_a_year()
    {
        var html = await _client.GetStringAsync("/project/alpha/");
        var start = html.IndexOf("<link rel=\"stylesheet\" href=\"", StringComparison.Ordinal);
        Assert.True(start > 0, html);
        start += "<link rel=\"stylesheet\" href=\"".Length;
        var href = html[start..html.IndexOf('"', start)];
        Assert.Matches("^/static/clutch\\.css\\?v=[0-9a-f]{12}$", href);

        using var response = await _client.GetAsync(href);
        var css = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/css", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(href[^12..], Convert.ToHexStringLower(SHA256.HashData(css))[..12]);
        Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl!.ToString());
        Assert.Equal($"\"{href[^12..]}\"", response.Headers.ETag!.Tag);
        Assert.Contains("max-width", System.Text.Encoding.UTF8.GetString(css), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_holding_the_stylesheet_gets_304_and_head_gets_no_body()
    {
        using var first = await _client.GetAsync("/static/clutch.css");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/static/clutch.css");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var again = await _client.SendAsync(request);
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/static/clutch.css"));

        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal((await first.Content.ReadAsByteArrayAsync()).Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }
}
