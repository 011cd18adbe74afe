using Clutch.Web;

namespace Clutch.Server.Tests.Web;

/// <summary>The README renderer and the URL rule: what becomes a link, what stays text, and the cut of a huge description.</summary>
public sealed class ReadmeRendererTests
{
    [Theory]
    [InlineData("https://example.org/x", true, true)]
    [InlineData("HTTP://example.org", true, true)]
    [InlineData("  http://example.org", true, true)]
    [InlineData("mailto:a@example.org", false, true)]
    [InlineData("docs/readme.md", false, true)]
    [InlineData("/absolute/path", false, true)]
    [InlineData("//cdn.example.org/x", false, true)]
    [InlineData("#section", false, true)]
    [InlineData("javascript:alert(1)", false, false)]
    [InlineData("JaVaScRiPt:alert(1)", false, false)]
    [InlineData(" \u0001javascript:alert(1)", false, false)]
    [InlineData("java\tscript:alert(1)", false, false)]
    [InlineData("java\nscript:alert(1)", false, false)]
    [InlineData("data:text/html,<script>", false, false)]
    [InlineData("vbscript:msgbox", false, false)]
    [InlineData("file:///etc/passwd", false, false)]
    [InlineData("ftp://example.org", false, false)]
    [InlineData("", false, false)]
    [InlineData(":nothing", false, false)]
    public void Only_web_urls_are_project_links_and_readmes_may_also_link_mail_and_relative_urls(string url, bool webLink, bool readmeLink)
    {
        Assert.Equal(webLink, SafeUrls.IsWebLink(url));
        Assert.Equal(readmeLink, SafeUrls.IsReadmeLink(url));
    }

    [Theory]
    [InlineData("[x](javascript:alert(1))", "<p>x</p>")]
    [InlineData("[**bold** x](vbscript:y)", "<p>bold x</p>")]
    [InlineData("![alt text](data:image/png;base64,AAAA)", "<p>alt text</p>")]
    [InlineData("<javascript:alert(1)>", "<p>javascript:alert(1)</p>")]
    [InlineData("[x][r]\n\n[r]: javascript:alert(1)", "<p>x</p>")]
    [InlineData("<b onclick=\"x()\">hi</b>", "<p>&lt;b onclick=&quot;x()&quot;&gt;hi&lt;/b&gt;</p>")]
    [InlineData("<div>\n<script>alert(1)</script>\n</div>", "<p>&lt;div&gt;\n&lt;script&gt;alert(1)&lt;/script&gt;\n&lt;/div&gt;</p>")]
    [InlineData("[ok](https://example.org/a)", "<p><a href=\"https://example.org/a\">ok</a></p>")]
    [InlineData("see https://example.org now", "<p>see <a href=\"https://example.org\">https://example.org</a> now</p>")]
    [InlineData("[x](https://example.org){onclick=alert(1)}", "<p><a href=\"https://example.org\">x</a>{onclick=alert(1)}</p>")]
    public void Markdown_links_that_could_run_script_become_their_text(string markdown, string expected)
    {
        var readme = ReadmeRenderer.Render(markdown, "text/markdown");

        Assert.NotNull(readme?.Html);
        Assert.Equal(expected, readme.Html.Value!.Trim());
    }

    [Theory]
    [InlineData("text/x-rst")]
    [InlineData("text/plain")]
    [InlineData(null)]
    [InlineData("text/html")]
    public void Anything_but_markdown_is_kept_as_text(string? contentType)
    {
        var readme = ReadmeRenderer.Render("**not** <b>markdown</b>", contentType);

        Assert.Null(readme!.Html);
        Assert.Equal("**not** <b>markdown</b>", readme.Text);
    }

    [Fact]
    public void A_ten_megabyte_description_is_cut_to_one_mebibyte_at_a_line_end()
    {
        var line = new string('x', 99) + "\n";
        var description = string.Concat(Enumerable.Repeat(line, 100_000)) + "END";

        var readme = ReadmeRenderer.Render(description, "text/markdown")!;

        Assert.Equal(10_000_003, readme.CutFromBytes);
        Assert.InRange(readme.Html!.Value!.Length, 1_000_000, ReadmeRenderer.MaxChars + 100_000);
        Assert.DoesNotContain("END", readme.Html.Value, StringComparison.Ordinal);
        Assert.Null(ReadmeRenderer.Render(new string('x', 1000), "text/markdown")!.CutFromBytes);
    }

    [Fact]
    public void No_description_is_no_readme() => Assert.Null(ReadmeRenderer.Render("  \n", "text/markdown"));
}
