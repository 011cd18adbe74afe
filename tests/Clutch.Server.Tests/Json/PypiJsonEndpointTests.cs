using System.Net;
using System.Text.Json;
using Clutch.Packaging;
using Clutch.Pages;
using Clutch.Server.Tests.Harness;
using Microsoft.Extensions.DependencyInjection;

namespace Clutch.Server.Tests.Json;

public class PypiJsonEndpointTests(SeededServerFixture fixture) : IClassFixture<SeededServerFixture>
{
    private readonly HttpClient _client = fixture.Server.Client;

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var r = await _client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/json", r.Content.Headers.ContentType!.MediaType);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Project_json_describes_the_newest_final_release_and_lists_every_release()
    {
        var root = await GetJsonAsync("/pypi/alpha/json");
        var info = root.GetProperty("info");
        Assert.Equal("2.0", info.GetProperty("version").GetString());
        Assert.Equal("alpha", info.GetProperty("name").GetString());
        Assert.Equal("A test package", info.GetProperty("summary").GetString());
        Assert.Equal(">=3.8,<4 & \"x\"", info.GetProperty("requires_python").GetString());
        var releases = root.GetProperty("releases").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["1.0", "1.5.dev1234", "2.0"], releases);
        var url = Assert.Single(root.GetProperty("urls").EnumerateArray());
        Assert.Equal("alpha-2.0-py3-none-any.whl", url.GetProperty("filename").GetString());
        Assert.Equal("bdist_wheel", url.GetProperty("packagetype").GetString());
        var digests = url.GetProperty("digests");
        Assert.Matches("^[0-9a-f]{64}$", digests.GetProperty("sha256").GetString());
        Assert.Matches("^[0-9a-f]{32}$", digests.GetProperty("md5").GetString());
        Assert.Matches("^[0-9a-f]{64}$", digests.GetProperty("blake2b_256").GetString());
        Assert.False(url.GetProperty("yanked").GetBoolean());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$", url.GetProperty("upload_time").GetString());

        // The absolute URL downloads the file.
        using var file = await _client.GetAsync(url.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
    }

    [Fact]
    public async Task Project_json_is_the_same_after_the_rows_kept_with_the_page_were_collected()
    {
        var before = (await GetJsonAsync("/pypi/alpha/json")).GetRawText();
        var cache = fixture.Server.Services.GetRequiredService<PageCache>();
        var snapshot = await cache.GetProjectAsync(ProjectName.Normalize("alpha"));

        // The snapshot holds its catalog rows weakly; once collected they are read again from the catalog.
        ForgetRows(snapshot);
        Assert.False(snapshot.TryGetDetail(out _));

        Assert.Equal(before, (await GetJsonAsync("/pypi/alpha/json")).GetRawText());

        // The rows read again are the project's. (They are kept weakly again, so a collection may
        // take them at any moment: ask the cache for them rather than peeking at the snapshot.)
        ForgetRows(snapshot);
        var reread = await cache.GetDetailAsync(ProjectName.Normalize("alpha"));
        Assert.Equal(["1.0", "1.5.dev1234", "2.0"], reread.Releases.Select(r => r.Files[0].Version));
    }

    /// <summary>What a collection does to the rows while the page is kept.</summary>
    private static void ForgetRows(ProjectSnapshot snapshot) => snapshot.SetDetail(null!);

    [Fact]
    public async Task Version_json_describes_that_version_only()
    {
        var root = await GetJsonAsync("/pypi/alpha/1.5.dev1234/json");
        Assert.Equal("1.5.dev1234", root.GetProperty("info").GetProperty("version").GetString());
        Assert.False(root.TryGetProperty("releases", out _));
        Assert.Equal("sdist", Assert.Single(root.GetProperty("urls").EnumerateArray()).GetProperty("packagetype").GetString());
    }

    [Fact]
    public async Task Sdist_only_project_takes_its_info_from_pkg_info()
    {
        var root = await GetJsonAsync("/pypi/beta-pkg/json");
        Assert.Equal("A test package", root.GetProperty("info").GetProperty("summary").GetString());
        Assert.Equal("0.1", root.GetProperty("info").GetProperty("version").GetString());
    }

    [Theory]
    [InlineData("/pypi/no-such/json")]
    [InlineData("/pypi/alpha/9.9/json")]
    public async Task Unknown_project_or_version_is_404_problem(string path)
    {
        using var r = await _client.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Non_normalized_name_redirects()
    {
        using var r = await _client.GetAsync("/pypi/Beta_Pkg/json");
        Assert.Equal(HttpStatusCode.MovedPermanently, r.StatusCode);
        Assert.Equal("/pypi/beta-pkg/json", r.Headers.Location!.OriginalString);
    }
}
