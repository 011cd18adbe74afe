using Clutch.Mirror;

namespace Clutch.Server.Tests.Mirror;

public class UpstreamHtmlParserTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string MetaSha = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
    private static readonly Uri PageUrl = new("https://mirror.example/simple/flask-login/");

    // A page as PyPI and devpi write them: doctype, PEP 629 meta, <br/>s, a comment, mixed quoting.
    private static readonly string RealLookingPage = $"""
        <!DOCTYPE html>
        <html>
          <head>
            <meta name="pypi:repository-version" content="1.1">
            <title>Links for Flask-Login</title>
          </head>
          <body>
            <h1>Links for Flask-Login</h1>
            <a href="https://files.example/packages/aa/bb/Flask_Login-0.6.3-py3-none-any.whl#sha256={Sha.ToUpperInvariant()}" data-requires-python="&gt;=3.7" data-dist-info-metadata="sha256={MetaSha}" data-core-metadata="sha256={MetaSha}">Flask_Login-0.6.3-py3-none-any.whl</a><br />
            <a href="../../packages/Flask-Login-0.6.2.tar.gz#sha256={Sha}" data-requires-python="&gt;=3.7,&lt;4 &amp; &quot;x&quot;" data-yanked="">Flask-Login-0.6.2.tar.gz</a><br />
            <!-- <a href="commented-out-1.0.tar.gz">commented-out-1.0.tar.gz</a> -->
            <A HREF='old/Flask-Login-0.1.tar.gz#md5=5d41402abc4b2a76b9719d911017c592' data-yanked="broken &amp; insecure">Flask-Login-0.1.tar.gz</A><br/>
            <a href=/files/flask_login-0.2-py3-none-any.whl data-dist-info-metadata=true>flask_login-0.2-py3-none-any.whl</a>
          </body>
        </html>
        """;

    [Fact]
    public void Real_looking_page_gives_every_file_with_its_attributes()
    {
        var page = UpstreamHtmlParser.ParseProject(RealLookingPage, PageUrl, "flask-login");

        Assert.Equal("Flask-Login", page.Name);
        Assert.Equal(
            [
                new UpstreamFile("Flask_Login-0.6.3-py3-none-any.whl", "https://files.example/packages/aa/bb/Flask_Login-0.6.3-py3-none-any.whl",
                    Sha, ">=3.7", false, null, true, MetaSha, null, null),
                new UpstreamFile("Flask-Login-0.6.2.tar.gz", "https://mirror.example/packages/Flask-Login-0.6.2.tar.gz",
                    Sha, ">=3.7,<4 & \"x\"", true, null, false, null, null, null),
                new UpstreamFile("Flask-Login-0.1.tar.gz", "https://mirror.example/simple/flask-login/old/Flask-Login-0.1.tar.gz",
                    null, null, true, "broken & insecure", false, null, null, null),
                new UpstreamFile("flask_login-0.2-py3-none-any.whl", "https://mirror.example/files/flask_login-0.2-py3-none-any.whl",
                    null, null, false, null, true, null, null, null),
            ],
            page.Files);
    }

    [Theory]
    [InlineData("https://other.example/x/a-1.0.tar.gz", "https://other.example/x/a-1.0.tar.gz")]
    [InlineData("a-1.0.tar.gz", "https://mirror.example/simple/flask-login/a-1.0.tar.gz")]
    [InlineData("../../files/a-1.0.tar.gz", "https://mirror.example/files/a-1.0.tar.gz")]
    [InlineData("/files/a-1.0.tar.gz", "https://mirror.example/files/a-1.0.tar.gz")]
    [InlineData("//cdn.example/a-1.0.tar.gz", "https://cdn.example/a-1.0.tar.gz")]
    [InlineData("../../files/a%2Bb-1.0.tar.gz?x=1&amp;y=2#sha256=00", "https://mirror.example/files/a%2Bb-1.0.tar.gz?x=1&y=2")]
    // Credentials in a link are not kept (they would land in the catalog).
    [InlineData("https://bot:s3cret@files.example/a-1.0.tar.gz", "https://files.example/a-1.0.tar.gz")]
    public void Links_resolve_against_the_page_url_without_fragment(string href, string expected)
    {
        var page = UpstreamHtmlParser.ParseProject($"<a href=\"{href}\">a-1.0.tar.gz</a>", PageUrl, "a");
        Assert.Equal(expected, Assert.Single(page.Files).Url);
    }

    [Fact]
    public void Base_href_changes_what_links_are_relative_to()
    {
        var page = UpstreamHtmlParser.ParseProject("<html><head><base href=\"https://cdn.example/pkgs/\"></head><a href=\"a-1.0.tar.gz\">a-1.0.tar.gz</a>", PageUrl, "a");
        Assert.Equal("https://cdn.example/pkgs/a-1.0.tar.gz", Assert.Single(page.Files).Url);
    }

    [Theory]
    [InlineData("data-requires-python=\"&gt;=3.8\"", ">=3.8")]
    [InlineData("data-requires-python='&#62;=3.8,&#x3C;4'", ">=3.8,<4")]
    [InlineData("data-requires-python=\"&gt;=2.7, !=3.0.*\"", ">=2.7, !=3.0.*")]
    [InlineData("data-requires-python=\"\"", null)]
    [InlineData("", null)]
    public void Requires_python_is_unescaped(string attribute, string? expected)
    {
        var page = UpstreamHtmlParser.ParseProject($"<a href=\"a-1.0.tar.gz\" {attribute}>a-1.0.tar.gz</a>", PageUrl, "a");
        Assert.Equal(expected, Assert.Single(page.Files).RequiresPython);
    }

    [Theory]
    [InlineData("", false, null)]
    [InlineData("data-yanked=\"\"", true, null)]
    [InlineData("data-yanked", true, null)]
    [InlineData("DATA-YANKED='use 2.0 &lt;3'", true, "use 2.0 <3")]
    public void Yanked_with_and_without_a_reason(string attribute, bool yanked, string? reason)
    {
        var file = Assert.Single(UpstreamHtmlParser.ParseProject($"<a href=\"a-1.0.tar.gz\" {attribute}>a-1.0.tar.gz</a>", PageUrl, "a").Files);
        Assert.Equal(yanked, file.Yanked);
        Assert.Equal(reason, file.YankedReason);
    }

    [Theory]
    [InlineData("", false, null)]
    [InlineData("data-core-metadata=\"true\"", true, null)]
    [InlineData("data-dist-info-metadata=\"true\"", true, null)]
    [InlineData("data-core-metadata=\"sha256=" + MetaSha + "\"", true, MetaSha)]
    [InlineData("data-dist-info-metadata=\"sha256=" + MetaSha + "\"", true, MetaSha)]
    // PEP 714: the new name wins when both are there.
    [InlineData("data-dist-info-metadata=\"true\" data-core-metadata=\"sha256=" + MetaSha + "\"", true, MetaSha)]
    [InlineData("data-core-metadata=\"false\" data-dist-info-metadata=\"true\"", false, null)]
    [InlineData("data-core-metadata=\"md5=5d41402abc4b2a76b9719d911017c592\"", true, null)]
    public void Core_metadata_under_either_attribute(string attributes, bool has, string? sha256)
    {
        var file = Assert.Single(UpstreamHtmlParser.ParseProject($"<a href=\"a-1.0.tar.gz\" {attributes}>a-1.0.tar.gz</a>", PageUrl, "a").Files);
        Assert.Equal(has, file.HasCoreMetadata);
        Assert.Equal(sha256, file.CoreMetadataSha256);
    }

    [Theory]
    [InlineData("a-1.0.tar.gz", null)]
    [InlineData("a-1.0.tar.gz#md5=5d41402abc4b2a76b9719d911017c592", null)]
    [InlineData("a-1.0.tar.gz#sha256=123", null)]
    [InlineData("a-1.0.tar.gz#SHA256=" + Sha, Sha)]
    [InlineData("a-1.0.tar.gz#egg=a&amp;sha256=" + Sha, Sha)]
    public void Sha256_from_the_fragment_or_none(string href, string? expected)
    {
        var file = Assert.Single(UpstreamHtmlParser.ParseProject($"<a href=\"{href}\">a-1.0.tar.gz</a>", PageUrl, "a").Files);
        Assert.Equal(expected, file.Sha256);
        Assert.Equal("https://mirror.example/simple/flask-login/a-1.0.tar.gz", file.Url);
    }

    [Fact]
    public void Odd_markup_is_read_leniently()
    {
        const string html = """
            <title>Not the usual title</title>
            <script>document.write('<a href="evil-1.0.tar.gz">evil-1.0.tar.gz</a>');</script>
            <p>1 < 2</p>
            <a name="top"></a>
            <a href="mailto:someone@example.org">mail</a>
            <a class=x href = "b-1.0.tar.gz" ><span>b-1.0</span>.tar.gz
            <a href="c-1.0.tar.gz"></a>
            <a href="d%201.0.tar.gz" href="ignored.tar.gz">d&#32;1.0.tar.gz</a>
            """;
        var page = UpstreamHtmlParser.ParseProject(html, PageUrl, "b");

        // The title is not "Links for ...": the requested name stands.
        Assert.Equal("b", page.Name);
        Assert.Equal(["b-1.0.tar.gz", "c-1.0.tar.gz", "d 1.0.tar.gz"], page.Files.Select(f => f.Filename));
        Assert.Equal("https://mirror.example/simple/flask-login/d%201.0.tar.gz", page.Files[2].Url);
    }

    [Fact]
    public void Unknown_major_api_version_is_refused()
    {
        var e = Assert.Throws<UpstreamFormatException>(() => UpstreamHtmlParser.ParseProject(
            "<meta name=\"pypi:repository-version\" content=\"2.0\"><a href=\"a-1.0.tar.gz\">a-1.0.tar.gz</a>", PageUrl, "a"));
        Assert.Contains("2.0", e.Message);
        Assert.Contains("https://mirror.example/simple/flask-login/", e.Message);
    }

    [Fact]
    public void Root_page_lists_anchor_texts()
    {
        const string html = """
            <!DOCTYPE html><html><head><meta name="pypi:repository-version" content="1.0"><title>Simple index</title></head>
            <body>
              <a href="/simple/flask-login/">Flask-Login</a>
              <a href="/simple/zope-interface/">zope.interface</a>
              <a href="/simple/a-b/">A&amp;B&#95;x</a>
              <a href="/simple/unnamed/"></a>
            </body></html>
            """;
        var root = UpstreamHtmlParser.ParseRoot(html, new Uri("https://mirror.example/simple/"));
        Assert.Equal(["Flask-Login", "zope.interface", "A&B_x", "unnamed"], root.Names);
    }
}
