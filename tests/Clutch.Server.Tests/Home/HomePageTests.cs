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
    public async Task Home_page_has_a_search_box_the_counts_and_the_latest_uploads_linking_release_pages()
    {
        var html = await _client.GetStringAsync("/");

        Assert.Contains($"<code id=\"index-url\">{BaseUrl}/simple/</code>", html);
        Assert.Contains("<form action=\"/search/\" method=\"get\" role=\"search\" class=\"search-big\" aria-label=\"Search this index\">", html);
        // alpha (two wheels and an sdist), beta-pkg (an sdist), gamma (developer links only).
        Assert.Contains("<li><strong>3</strong> projects</li>", html);
        Assert.Contains("<li><strong>4</strong> files</li>", html);
        var latest = html[html.IndexOf("<ul class=\"latest\">", StringComparison.Ordinal)..];
        Assert.Contains("<a href=\"/project/alpha/", latest);
        // The name as the catalog records it ("Beta_Pkg"; a catalog filled by `clutch migrate` has only the normalized one).
        Assert.Contains($"<a href=\"/project/beta-pkg/0.1/\">{await DisplayNameAsync("beta-pkg")} 0.1</a>", latest);
        Assert.DoesNotContain("/project/gamma/", latest);
    }

    private async Task<string> DisplayNameAsync(string project)
    {
        var catalog = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Clutch.Storage.ICatalog>(fixture.Server.Services);
        return (await catalog.ListProjectsAsync(CancellationToken.None)).Single(p => p.Name.Value == project).DisplayName;
    }
}
