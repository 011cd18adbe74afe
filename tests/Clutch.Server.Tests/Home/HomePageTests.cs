using System.Net;
using Clutch.Server.Tests.Harness;

namespace Clutch.Server.Tests.Home;

public sealed class HomePageTests(SeededServerFixture fixture) : IClassFixture<SeededServerFixture>
{
    private readonly HttpClient _client = fixture.Server.Client;

    private string BaseUrl => fixture.Server.BaseAddress.ToString().TrimEnd('/');

    [Fact]
    public async Task Home_page_gives_this_servers_index_url_and_client_snippets()
    {
        using var response = await _client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains($"<a href=\"{BaseUrl}/simple/\">", html);
        Assert.Contains($"pip install --index-url {BaseUrl}/simple/ PACKAGE", html);
        Assert.Contains($"uv pip install --index-url {BaseUrl}/simple/ PACKAGE", html);
        Assert.Contains($"twine upload --repository-url {BaseUrl}/legacy/ -u USER dist/*", html);
    }

    [Fact]
    public async Task Head_of_the_home_page_has_its_length_and_no_body()
    {
        using var get = await _client.GetAsync("/");
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal((await get.Content.ReadAsByteArrayAsync()).Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public void Every_part_of_the_address_is_html_escaped()
    {
        // Kestrel refuses such a Host header itself (400); the page escapes whatever address it is given.
        var html = System.Text.Encoding.UTF8.GetString(Clutch.Home.HomePageWriter.Write("http://evil\"><script>&'x"));

        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("evil\"", html);
        Assert.Contains("http://evil&quot;&gt;&lt;script&gt;&amp;&#39;x/simple/", html);
    }
}
