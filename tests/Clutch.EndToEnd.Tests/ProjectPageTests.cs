using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

public sealed class ProjectPageServer : ClutchServer
{
    protected override Task SeedAsync(string packagesDir) =>
        SeedPackagesAsync(packagesDir, (new PackageSpec("e2e_webpage", "1.0"), PackageKind.Wheel), (new PackageSpec("e2e_webpage", "1.1rc1"), PackageKind.Wheel));
}

/// <summary>The project page from the shipped program (the native build's templates are compiled ahead of time).</summary>
public sealed class ProjectPageTests(ProjectPageServer server) : IClassFixture<ProjectPageServer>
{
    [Fact]
    public async Task The_project_page_renders_its_versions_under_a_no_script_policy()
    {
        using var response = await server.HttpClient.GetAsync(server.BaseUrl + "/project/e2e-webpage/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {html}");
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("default-src 'none'", string.Join(";", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Contains("<title>e2e-webpage · Clutch</title>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/project/e2e-webpage/1.1rc1/\">1.1rc1</a>", html, StringComparison.Ordinal);
        Assert.Contains($"pip install --index-url {server.SimpleUrl} e2e-webpage", html, StringComparison.Ordinal);

        using var missing = await server.HttpClient.GetAsync(server.BaseUrl + "/project/e2e-no-such/");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task The_release_page_links_each_file_to_its_download_and_shows_its_sha256()
    {
        using var response = await server.HttpClient.GetAsync(server.BaseUrl + "/project/e2e-webpage/1.0/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {html}");
        var row = Regex.Match(html, "<tr>\\s*<td data-label=\"File\">.*?</tr>", RegexOptions.Singleline).Value;
        var href = Regex.Match(row, "<a href=\"(/files/[^\"]+)\">e2e_webpage-1\\.0-py3-none-any\\.whl</a>").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(href), html);
        var bytes = await server.HttpClient.GetByteArrayAsync(server.BaseUrl + href);
        Assert.Contains($"<code class=\"hash\">{Convert.ToHexStringLower(SHA256.HashData(bytes))}</code>", row, StringComparison.Ordinal);
        Assert.Contains("<td data-label=\"Python\">py3</td>", row, StringComparison.Ordinal);

        var css = Regex.Match(html, "<link rel=\"stylesheet\" href=\"([^\"]+)\">").Groups[1].Value;
        using var stylesheet = await server.HttpClient.GetAsync(server.BaseUrl + css);
        Assert.Equal(HttpStatusCode.OK, stylesheet.StatusCode); // embedded in the native binary too
        Assert.Equal("public, max-age=31536000, immutable", stylesheet.Headers.CacheControl!.ToString());
        Assert.Equal(css[^12..], Convert.ToHexStringLower(SHA256.HashData(await stylesheet.Content.ReadAsByteArrayAsync()))[..12]);
    }

    [Fact]
    public async Task Search_finds_the_project_and_the_home_page_counts_it()
    {
        using var response = await server.HttpClient.GetAsync(server.BaseUrl + "/search/?q=E2E_Web");
        var html = await response.Content.ReadAsStringAsync();
        var home = await server.HttpClient.GetStringAsync(server.BaseUrl + "/");

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {html}");
        Assert.Contains("<ol class=\"results\" start=\"1\">", html, StringComparison.Ordinal);
        Assert.Matches("<li>\\s*<a href=\"/project/e2e-webpage/\">", html);
        Assert.Contains("1 project matches", html, StringComparison.Ordinal);
        Assert.Contains($"<code id=\"index-url\">{server.SimpleUrl}</code>", home, StringComparison.Ordinal);
        Assert.Contains("<li><strong>1</strong> project</li>", home, StringComparison.Ordinal);
        Assert.Contains("<li><strong>2</strong> files</li>", home, StringComparison.Ordinal);
    }
}
