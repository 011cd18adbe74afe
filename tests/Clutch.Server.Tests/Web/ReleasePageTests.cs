using System.Net;
using System.Text.RegularExpressions;
using Clutch.Server.Tests.Harness;
using Microsoft.Extensions.DependencyInjection;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Web;

/// <summary><c>/project/{name}/{version}/</c>: the release's files with the simple page's download URLs, yanked files marked, 404 and 301.</summary>
public sealed partial class ReleasePageTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync();
        await _server.AddUserAsync("alice");
        foreach (var version in new[] { "1.0", "2.0rc1" })
        {
            using var r = await _server.UploadWheelAsync("Rel_Demo", version);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        var sdist = SdistBytes("Rel_Demo", "1.0");
        using var s = await _server.UploadAsync(Form(sdist, "Rel_Demo-1.0.tar.gz", "Rel_Demo", "1.0", filetype: "sdist"));
        Assert.Equal(HttpStatusCode.OK, s.StatusCode);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Every_file_is_listed_with_size_digest_tag_time_and_uploader_linking_the_simple_pages_url()
    {
        using var response = await _server.Client.GetAsync("/project/rel-demo/1.0/");
        var html = await response.Content.ReadAsStringAsync();
        var simple = await _server.Client.GetStringAsync("/simple/rel-demo/");
        var json = await _server.Client.GetStringAsync("/pypi/rel-demo/1.0/json");

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {html}");
        Assert.StartsWith("default-src 'none'", string.Join(";", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Contains("<title>Rel_Demo 1.0 · Clutch</title>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"tag\">latest</span>", html, StringComparison.Ordinal);
        var table = html[html.IndexOf("<table class=\"files\">", StringComparison.Ordinal)..html.IndexOf("</table>", StringComparison.Ordinal)];
        var rows = TableRow().Matches(table).Select(m => m.Value).ToList();
        Assert.Equal(2, rows.Count);
        foreach (var (filename, tag) in new[] { ("Rel_Demo-1.0-py3-none-any.whl", "py3"), ("Rel_Demo-1.0.tar.gz", "source") })
        {
            var row = Assert.Single(rows, r => r.Contains(">" + filename + "</a>", StringComparison.Ordinal));
            var href = Regex.Match(row, "<a href=\"([^\"]+)\">").Groups[1].Value;
            Assert.StartsWith("/files/", href, StringComparison.Ordinal);
            Assert.Contains("/" + href.TrimStart('/').Split('/')[^1], simple, StringComparison.Ordinal); // the simple page links the same file
            using var download = await _server.Client.GetAsync(href);
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            var bytes = await download.Content.ReadAsByteArrayAsync();
            Assert.Contains($"<code class=\"hash\">{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))}</code>", row, StringComparison.Ordinal);
            Assert.Contains($"<td data-label=\"Python\">{tag}</td>", row, StringComparison.Ordinal);
            Assert.Contains("<td data-label=\"By\">alice</td>", row, StringComparison.Ordinal);
            Assert.Matches("<time datetime=\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\">\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC</time>", row);
            Assert.Matches(bytes.Length < 1024 ? $">{bytes.Length} B<" : "\\d+\\.\\d KiB", row);
            Assert.Contains($"\"{filename}\"", json, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("2.0rc1", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pre_release_is_marked_and_a_yanked_file_shows_its_reason()
    {
        var catalog = _server.Services.GetRequiredService<Clutch.Storage.ICatalog>();
        Assert.True(await catalog.SetYankedAsync("Rel_Demo-2.0rc1-py3-none-any.whl", true, "bad <i>wheel</i>", CancellationToken.None));

        var html = "";
        Assert.True(
            await _server.WaitForPageAsync("/project/rel-demo/2.0rc1/", page => (html = page).Contains("yanked: bad", StringComparison.Ordinal), TimeSpan.FromSeconds(5)),
            html);
        Assert.Contains("<span class=\"tag\">pre-release</span>", html, StringComparison.Ordinal);
        Assert.Contains("<p class=\"note yanked\">This release is yanked: bad &lt;i&gt;wheel&lt;/i&gt;</p>", html, StringComparison.Ordinal);
        Assert.Contains("<del><a href=\"/files/", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<span class=\"tag\">latest</span>", html, StringComparison.Ordinal);
        Assert.Contains("pip install --index-url", html, StringComparison.Ordinal);
        Assert.Contains("&quot;rel-demo==2.0rc1&quot;", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/project/Rel_Demo/1.0/", "/project/rel-demo/1.0/")]
    [InlineData("/project/rel-demo/1.0.0/", "/project/rel-demo/1.0/")]
    [InlineData("/project/rel-demo/2.0RC1/", "/project/rel-demo/2.0rc1/")]
    [InlineData("/project/rel-demo/1.0", "/project/rel-demo/1.0/")]
    public async Task Another_spelling_of_the_name_or_version_redirects_to_the_canonical_url(string path, string location)
    {
        using var response = await _server.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal(location, response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("/project/rel-demo/3.0/", "has no version &#x27;3.0&#x27;")]
    [InlineData("/project/rel-demo/1.0%2F..%2F/", "has no version")]
    [InlineData("/project/no-such/1.0/", "There is no project &#x27;no-such&#x27;")]
    [InlineData("/project/..%2F/1.0/", "is not a valid project name")]
    public async Task An_unknown_version_or_project_is_a_404_page(string path, string message)
    {
        using var response = await _server.Client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains(message, html, StringComparison.Ordinal);
        Assert.Contains("<h1>Not found</h1>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_of_a_release_page_has_no_body()
    {
        using var head = await _server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/project/rel-demo/1.0/"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_hostile_filename_and_version_are_shown_as_text()
    {
        await using var server = await InProcessServer.StartAsync(root =>
            TestDistributions.Sdist(root, "hostile", "1.0<script>alert(1)"));

        var project = await server.Client.GetStringAsync("/project/hostile/");
        var url = Regex.Match(project, "<a href=\"(/project/hostile/[^\"]+)\">").Groups[1].Value;
        using var response = await server.Client.GetAsync(System.Net.WebUtility.HtmlDecode(url));
        var release = await response.Content.ReadAsStringAsync();

        Assert.Equal("/project/hostile/1.0%3Cscript%3Ealert%281%29/", System.Net.WebUtility.HtmlDecode(url));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {release}");
        Assert.Contains("hostile-1.0&lt;script&gt;alert(1).tar.gz</a>", release, StringComparison.Ordinal);
        ProjectMetadataPageTests.AssertInert(project);
        ProjectMetadataPageTests.AssertInert(release);
    }

    [GeneratedRegex("<tr>\\s*<td data-label=\"File\">.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex TableRow();
}
