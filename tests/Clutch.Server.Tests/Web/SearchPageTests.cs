using System.Net;
using System.Text.RegularExpressions;
using Clutch.Server.Tests.Harness;
using Microsoft.Extensions.DependencyInjection;

namespace Clutch.Server.Tests.Web;

/// <summary><c>/search/</c> and <c>/projects/</c>: ranking, paging, escaping, and the list kept current as projects change.</summary>
public sealed partial class SearchPageTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync(root =>
        {
            // For ranking: the exact name, a prefix, a substring, and a summary only.
            TestDistributions.Wheel(root, "cipher", "1.0", summary: "The exact name");
            TestDistributions.Wheel(root, "cipher-tools", "2.0", summary: "Starts with the name");
            TestDistributions.Wheel(root, "Cipher_Suite", "1.0", summary: "Also starts with it");
            TestDistributions.Wheel(root, "old-cipher", "0.3", summary: "Contains the name");
            TestDistributions.Wheel(root, "vault", "1.0", summary: "Encrypts with a CIPHER of your choice");
            TestDistributions.Wheel(root, "unrelated", "1.0", summary: "Nothing to see");
            TestDistributions.Wheel(root, "hostile", "1.0", summary: "<script>alert('summary')</script> cipher");
            // For paging: 120 projects that share a word.
            for (var i = 0; i < 120; i++)
            {
                TestDistributions.Wheel(root, $"bulk{i:D3}", "1.0", summary: "bulk package");
            }
        });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<string> PageAsync(string path)
    {
        using var response = await _server.Client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {html}");
        Assert.StartsWith("default-src 'none'", string.Join(";", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        return html;
    }

    private static List<string> Results(string html) =>
        ResultLink().Matches(html[html.IndexOf("<ol class=\"results\"", StringComparison.Ordinal)..]).Select(m => m.Groups[1].Value).ToList();

    [Fact]
    public async Task Exact_name_comes_first_then_prefixes_then_names_containing_it_then_summaries()
    {
        var html = await PageAsync("/search/?q=Cipher");

        Assert.Equal(["cipher", "cipher-suite", "cipher-tools", "old-cipher", "hostile", "vault"], Results(html));
        Assert.Contains("6 projects match <q>Cipher</q>.", html, StringComparison.Ordinal);
        Assert.Contains("<input type=\"search\" name=\"q\" value=\"Cipher\"", html, StringComparison.Ordinal); // the header keeps the query
    }

    [Fact]
    public async Task A_name_in_another_spelling_finds_the_project()
    {
        var html = await PageAsync("/search/?q=CIPHER.suite");

        Assert.Equal("cipher-suite", Results(html)[0]);
    }

    [Fact]
    public async Task Without_a_query_the_page_has_the_form_and_no_results()
    {
        foreach (var path in new[] { "/search/", "/search/?q=", "/search/?q=%20%20" })
        {
            var html = await PageAsync(path);

            Assert.Contains("<input id=\"search-q\" type=\"search\" name=\"q\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<ol class=\"results\"", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task No_match_is_an_empty_list_and_hostile_text_is_escaped()
    {
        var none = await PageAsync("/search/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
        var hostile = await PageAsync("/search/?q=hostile");

        Assert.Empty(Results(none));
        Assert.Contains("0 projects match <q>&lt;script&gt;alert(1)&lt;/script&gt;</q>.", none, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&#x27;summary&#x27;)&lt;/script&gt; cipher", hostile, StringComparison.Ordinal);
        ProjectMetadataPageTests.AssertInert(none);
        ProjectMetadataPageTests.AssertInert(hostile);
    }

    [Fact]
    public async Task Search_results_are_paged_by_fifty_with_next_and_previous_links()
    {
        var first = await PageAsync("/search/?q=bulk");
        var third = await PageAsync("/search/?q=bulk&page=3");
        var beyond = await PageAsync("/search/?q=bulk&page=99");

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"bulk{i:D3}"), Results(first));
        Assert.Contains("<a href=\"/search/?q=bulk&amp;page=2\" rel=\"next\">Next</a>", first, StringComparison.Ordinal);
        Assert.DoesNotContain("rel=\"prev\"", first, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(100, 20).Select(i => $"bulk{i:D3}"), Results(third));
        Assert.Contains("<ol class=\"results\" start=\"101\">", third, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/search/?q=bulk&amp;page=2\" rel=\"prev\">Previous</a>", third, StringComparison.Ordinal);
        Assert.DoesNotContain("rel=\"next\"", third, StringComparison.Ordinal);
        Assert.Equal(Results(third), Results(beyond)); // past the end: the last page
    }

    [Fact]
    public async Task The_project_list_is_alphabetical_and_paged()
    {
        var first = await PageAsync("/projects/");
        var second = await PageAsync("/projects/?page=2");
        var third = await PageAsync("/projects/?page=3");

        var all = Results(first).Concat(Results(second)).Concat(Results(third)).ToList();
        Assert.Equal(127, all.Count);
        Assert.Equal(all.Order(StringComparer.Ordinal), all);
        Assert.Equal(50, Results(first).Count);
        Assert.Contains("127 projects", first, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/projects/?page=2\" rel=\"next\">Next</a>", first, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/projects/?page=1\" rel=\"prev\">Previous</a>", second, StringComparison.Ordinal);
        // The name as the catalog records it ("Cipher_Suite"; a catalog filled by `clutch migrate` has only the normalized one).
        var catalog = _server.Services.GetRequiredService<Clutch.Storage.ICatalog>();
        var display = (await catalog.ListProjectsAsync(CancellationToken.None)).Single(p => p.Name.Value == "cipher-suite").DisplayName;
        Assert.Contains($"<a href=\"/project/cipher-suite/\">{display}</a>", third, StringComparison.Ordinal);
        ProjectMetadataPageTests.AssertInert(first);
    }

    [Fact]
    public async Task A_new_upload_and_a_new_version_show_in_search_at_once()
    {
        Assert.Empty(Results(await PageAsync("/search/?q=fresh")));
        await _server.AddWheelAsync("", "fresh-project", "1.0");
        var html = "";
        Assert.True(await _server.WaitForPageAsync("/search/?q=fresh", page => Results(html = page).Contains("fresh-project"), TimeSpan.FromSeconds(10)), html);

        await _server.AddWheelAsync("", "fresh-project", "1.1");
        Assert.True(
            await _server.WaitForPageAsync("/search/?q=fresh", page => (html = page).Contains("<span class=\"muted\">1.1</span>", StringComparison.Ordinal), TimeSpan.FromSeconds(10)),
            html);
    }

    [Fact]
    public async Task Head_of_search_and_projects_has_a_length_and_no_body()
    {
        foreach (var path in new[] { "/search/?q=cipher", "/projects/", "/help/" })
        {
            using var get = await _server.Client.GetAsync(path);
            using var head = await _server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal((await get.Content.ReadAsByteArrayAsync()).Length, head.Content.Headers.ContentLength);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task The_help_page_gives_this_servers_urls_for_every_client()
    {
        var html = await PageAsync("/help/");
        var baseUrl = _server.BaseAddress.ToString().TrimEnd('/');

        Assert.Contains($"[global]\nindex-url = {baseUrl}/simple/", html, StringComparison.Ordinal);
        Assert.Contains($"[clutch]\nrepository = {baseUrl}/legacy/\nusername = __token__", html, StringComparison.Ordinal);
        Assert.Contains($"poetry source add --priority=supplemental clutch {baseUrl}/simple/", html, StringComparison.Ordinal);
        Assert.Contains($"uv add --index clutch={baseUrl}/simple/ PACKAGE", html, StringComparison.Ordinal);
        Assert.Contains($"TWINE_REPOSITORY_URL: {baseUrl}/legacy/", html, StringComparison.Ordinal);
        Assert.Contains("TWINE_PASSWORD: ${{ secrets.CLUTCH_TOKEN }}", html, StringComparison.Ordinal);
        Assert.Equal(2, html.Split("<h1").Length);
    }

    [GeneratedRegex("<li>\\s*<a href=\"/project/([^/\"]+)/\">")]
    private static partial Regex ResultLink();
}
