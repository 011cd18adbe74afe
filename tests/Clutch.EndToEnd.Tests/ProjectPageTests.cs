using System.Net;
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
}
