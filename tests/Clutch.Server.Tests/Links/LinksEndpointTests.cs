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
