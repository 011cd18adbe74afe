using System.Net;
using Clutch.Server.Tests.Harness;

namespace Clutch.Server.Tests.Web;

/// <summary>
/// What the project page shows of a release's core metadata: the README rendered and made inert,
/// requires-python and requires-dist, project URLs (only http(s) ones as links), the author, and
/// the developer-link install lines.
/// </summary>
public sealed class ProjectMetadataPageTests : IAsyncLifetime
{
    private const string Markdown = """
        # Hostile readme

        Some **bold** text and [a good link](https://example.org/docs) and [a relative one](docs/more.md).

        <script>alert('raw html')</script>

        <img src=x onerror="alert('img')">

        [click](javascript:alert('md link')) [tabbed](java	script:alert(2)) [entity](&#106;avascript:alert(3))
        ![pixel](data:image/png;base64,AAAA) [vb](VBScript:msgbox) [mail](mailto:team@example.org)

        <javascript:alert('autolink')>

        [ref link][evil]

        [evil]: javascript:alert('reference')

        | a | b |
        |---|---|
        | 1 | 2 |
        """;

    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync(root =>
        {
            TestDistributions.Wheel(root, "meta-demo", "1.0", requiresPython: ">=3.9", summary: "Demo <b>summary</b>",
                headers: "Description-Content-Type: text/markdown; charset=UTF-8\n"
                    + "Author: Eve <script>alert('author')</script>\n"
                    + "Author-email: eve@example.org\n"
                    + "Home-page: javascript:alert('home')\n"
                    + "Project-URL: Source, https://example.org/src?a=1&b=2\n"
                    + "Project-URL: <script>alert('label')</script>, http://example.org/label\n"
                    + "Project-URL: Data, data:text/html,<script>alert(1)</script>\n"
                    + "Project-URL: Spaced, \u0001 JaVaScRiPt:alert(4)\n"
                    + "Requires-Dist: requests (>=2.0)\n"
                    + "Requires-Dist: rich; extra == \"cli\" and python_version < \"3.12\"\n",
                description: Markdown);
            TestDistributions.Wheel(root, "rst-demo", "1.0", headers: "Description-Content-Type: text/x-rst\n", description: "Title\n=====\n\n.. raw:: html\n\n   <script>alert(1)</script>\n");
            TestDistributions.Wheel(root, "plain-demo", "1.0", description: "Line one <b>\n    indented line\n");
            TestDistributions.Wheel(root, "big-demo", "1.0", headers: "Description-Content-Type: text/markdown\n",
                description: string.Concat(Enumerable.Repeat("A line of the long description.\n", 3 * 1024 * 1024 / 32)) + "THE-END-MARKER\n");
            File.WriteAllText(Path.Combine(root, "meta-demo.links"), "git+https://ci:s3cret@vcs.example/meta-demo.git\nhg+https://vcs.example/meta-demo#egg=meta-demo-dev&subdirectory=py\n");
        });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<string> PageAsync(string path)
    {
        using var response = await _server.Client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {html}");
        return html;
    }

    [Fact]
    public async Task Markdown_is_rendered_with_raw_html_shown_as_text_and_unsafe_links_as_plain_text()
    {
        var html = await PageAsync("/project/meta-demo/");

        Assert.Contains("<h3>Hostile readme</h3>", html, StringComparison.Ordinal); // under the page's h2: one h1 per page
        Assert.Equal(2, html.Split("<h1").Length);
        Assert.Contains("<strong>bold</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://example.org/docs\">a good link</a>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"docs/more.md\">a relative one</a>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"mailto:team@example.org\">mail</a>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(", html, StringComparison.Ordinal); // raw HTML kept as text
        Assert.Contains("<table>", html, StringComparison.Ordinal);
        Assert.Contains("click", html, StringComparison.Ordinal);
        Assert.Contains("ref link", html, StringComparison.Ordinal);
        AssertInert(html);
    }

    [Fact]
    public async Task Requirements_urls_and_author_are_shown_as_text_and_only_http_urls_are_links()
    {
        var html = await PageAsync("/project/meta-demo/");

        Assert.Contains("<dt>Requires Python</dt>\n      <dd><code>&gt;=3.9</code></dd>", html, StringComparison.Ordinal);
        Assert.Contains("<li><code>requests (&gt;=2.0)</code></li>", html, StringComparison.Ordinal);
        Assert.Contains("<li><code>rich; extra == &quot;cli&quot; and python_version &lt; &quot;3.12&quot;</code></li>", html, StringComparison.Ordinal);
        Assert.Contains("Eve &lt;script&gt;alert(&#x27;author&#x27;)&lt;/script&gt; &lt;eve@example.org&gt;", html, StringComparison.Ordinal);
        Assert.Contains("<p class=\"summary\">Demo &lt;b&gt;summary&lt;/b&gt;</p>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://example.org/src?a=1&amp;b=2\" rel=\"nofollow noopener noreferrer\">", html, StringComparison.Ordinal);
        Assert.Contains("<dt>&lt;script&gt;alert(&#x27;label&#x27;)&lt;/script&gt;</dt>", html, StringComparison.Ordinal);
        Assert.Contains("<dt>Homepage</dt>\n        <dd><span class=\"inert-url\">javascript:alert(&#x27;home&#x27;)</span></dd>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"inert-url\">data:text/html,&lt;script&gt;", html, StringComparison.Ordinal);
        AssertInert(html);
    }

    [Fact]
    public async Task Developer_links_give_direct_reference_install_lines_without_credentials()
    {
        var html = await PageAsync("/project/meta-demo/");
        var install = html[html.IndexOf("<h2 id=\"install\">", StringComparison.Ordinal)..html.IndexOf("</section>", StringComparison.Ordinal)];

        Assert.True(install.Contains("pip install &quot;meta-demo @ git&#x2B;https://vcs.example/meta-demo.git&quot;", StringComparison.Ordinal), install);
        Assert.Contains("pip install &quot;meta-demo @ hg&#x2B;https://vcs.example/meta-demo#subdirectory=py&quot;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restructured_text_and_plain_text_are_shown_preformatted()
    {
        var rst = await PageAsync("/project/rst-demo/");
        var plain = await PageAsync("/project/plain-demo/");

        Assert.Contains("<pre>Title\n=====\n\n.. raw:: html\n\n   &lt;script&gt;alert(1)&lt;/script&gt;\n</pre>", rst, StringComparison.Ordinal);
        Assert.Contains("<pre>Line one &lt;b&gt;\n    indented line\n</pre>", plain, StringComparison.Ordinal);
        AssertInert(rst);
        AssertInert(plain);
    }

    [Fact]
    public async Task A_description_over_a_mebibyte_is_cut_with_a_note()
    {
        var html = await PageAsync("/project/big-demo/");

        Assert.Contains("<p class=\"note\">This description is 3.0 MiB long; only its first 1 MiB is shown here.</p>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("THE-END-MARKER", html, StringComparison.Ordinal);
        Assert.InRange(html.Length, 1024 * 1024, 1300 * 1024);
    }

    /// <summary>No element or attribute that could run script: every hostile value above came out as text.</summary>
    internal static void AssertInert(string html)
    {
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(new System.Text.RegularExpressions.Regex("<[a-z][^>]*\\son[a-z]+\\s*=", System.Text.RegularExpressions.RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("href=\"javascript", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"java", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"&#", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"data:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"vbscript", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=\"data:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"\u0001", html, StringComparison.Ordinal);
    }
}
