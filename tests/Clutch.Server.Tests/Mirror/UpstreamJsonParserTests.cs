using System.Text;
using Clutch.Mirror;

namespace Clutch.Server.Tests.Mirror;

public class UpstreamJsonParserTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string MetaSha = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
    private static readonly Uri PageUrl = new("https://mirror.example/simple/flask-login/");

    // As PyPI writes it (PEP 691 + 700), with the variations other indexes use.
    private static readonly string RealLookingPage = $$"""
        {
          "meta": {"api-version": "1.1", "_last-serial": 20230331},
          "name": "Flask-Login",
          "files": [
            {"filename": "Flask_Login-0.6.3-py3-none-any.whl",
             "url": "https://files.example/packages/aa/bb/Flask_Login-0.6.3-py3-none-any.whl#sha256={{Sha}}",
             "hashes": {"sha256": "{{Sha.ToUpperInvariant()}}", "md5": "5d41402abc4b2a76b9719d911017c592"},
             "requires-python": ">=3.7", "core-metadata": {"sha256": "{{MetaSha}}"}, "dist-info-metadata": false,
             "yanked": false, "size": 17234, "upload-time": "2023-10-30T14:53:21.151932Z"},
            {"filename": "Flask-Login-0.6.2.tar.gz", "url": "../../packages/Flask-Login-0.6.2.tar.gz",
             "hashes": {"sha256": "{{Sha}}"}, "requires-python": null, "yanked": true, "dist-info-metadata": {"sha256": "{{MetaSha}}"} },
            {"filename": "Flask-Login-0.1.tar.gz", "url": "old/Flask-Login-0.1.tar.gz", "hashes": {},
             "yanked": "broken <script> & insecure", "core-metadata": true, "size": 0, "upload-time": "2011-01-02T03:04:05+02:00"},
            {"filename": "flask_login-0.2-py3-none-any.whl", "url": "/files/flask_login-0.2-py3-none-any.whl", "yanked": "",
             "core-metadata": false, "dist-info-metadata": true}
          ],
          "versions": ["0.1", "0.2", "0.6.2", "0.6.3"]
        }
        """;

    [Fact]
    public void Real_looking_page_gives_every_file_with_its_attributes()
    {
        var page = UpstreamJsonParser.ParseProject(Encoding.UTF8.GetBytes(RealLookingPage), PageUrl, "flask-login");

        Assert.Equal("Flask-Login", page.Name);
        Assert.Equal(
            [
                new UpstreamFile("Flask_Login-0.6.3-py3-none-any.whl", "https://files.example/packages/aa/bb/Flask_Login-0.6.3-py3-none-any.whl",
                    Sha, ">=3.7", false, null, true, MetaSha, 17234, new DateTimeOffset(2023, 10, 30, 14, 53, 21, TimeSpan.Zero).AddTicks(1519320)),
                new UpstreamFile("Flask-Login-0.6.2.tar.gz", "https://mirror.example/packages/Flask-Login-0.6.2.tar.gz",
                    Sha, null, true, null, true, MetaSha, null, null),
                new UpstreamFile("Flask-Login-0.1.tar.gz", "https://mirror.example/simple/flask-login/old/Flask-Login-0.1.tar.gz",
                    null, null, true, "broken <script> & insecure", true, null, 0, new DateTimeOffset(2011, 1, 2, 1, 4, 5, TimeSpan.Zero)),
                // "core-metadata": false wins over the older key's true (PEP 714); "yanked": "" is yanked without a reason.
                new UpstreamFile("flask_login-0.2-py3-none-any.whl", "https://mirror.example/files/flask_login-0.2-py3-none-any.whl",
                    null, null, true, null, false, null, null, null),
            ],
            page.Files);
    }

    [Fact]
    public void Missing_name_falls_back_to_the_requested_one()
    {
        var page = UpstreamJsonParser.ParseProject("""{"meta": {"api-version": "1.0"}, "files": []}"""u8.ToArray(), PageUrl, "flask-login");
        Assert.Equal("flask-login", page.Name);
        Assert.Empty(page.Files);
    }

    [Theory]
    [InlineData("{\"files\": [", "not valid JSON")]
    [InlineData("<html>", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("{\"name\": \"x\"}", "no \"files\" array")]
    [InlineData("{\"files\": {}}", "no \"files\" array")]
    [InlineData("{\"files\": [42]}", "files[0] is not an object")]
    [InlineData("{\"files\": [{\"filename\": \"a-1.0.tar.gz\", \"url\": \"a-1.0.tar.gz\"}, {\"url\": \"b-1.0.tar.gz\"}]}", "files[1] has no \"filename\"")]
    [InlineData("{\"files\": [{\"filename\": \"a-1.0.tar.gz\"}]}", "files[0] (a-1.0.tar.gz) has no \"url\"")]
    [InlineData("{\"files\": [{\"filename\": \"a-1.0.tar.gz\", \"url\": \"ftp://x/a-1.0.tar.gz\"}]}", "not an http(s) URL")]
    [InlineData("{\"meta\": {\"api-version\": \"2.0\"}, \"files\": []}", "declares simple API version 2.0")]
    public void Malformed_page_is_refused_with_what_is_wrong(string json, string expected)
    {
        var e = Assert.Throws<UpstreamFormatException>(() => UpstreamJsonParser.ParseProject(Encoding.UTF8.GetBytes(json), PageUrl, "a"));
        Assert.Contains(expected, e.Message);
        Assert.Contains("https://mirror.example/simple/flask-login/", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Root_page_lists_project_names()
    {
        var root = UpstreamJsonParser.ParseRoot(
            """{"meta": {"api-version": "1.0"}, "projects": [{"name": "Flask-Login", "_last-serial": 1}, {"name": "zope.interface"}]}"""u8.ToArray(),
            new Uri("https://mirror.example/simple/"));
        Assert.Equal(["Flask-Login", "zope.interface"], root.Names);
    }

    [Fact]
    public void Root_page_without_projects_is_refused()
    {
        var e = Assert.Throws<UpstreamFormatException>(() => UpstreamJsonParser.ParseRoot("""{"projects": [{"name": 3}]}"""u8.ToArray(), new Uri("https://mirror.example/simple/")));
        Assert.Contains("projects[0] has no \"name\"", e.Message);
    }
}
