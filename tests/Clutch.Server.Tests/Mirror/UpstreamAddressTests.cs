using Clutch.Mirror;

namespace Clutch.Server.Tests.Mirror;

public class UpstreamAddressTests
{
    [Theory]
    [InlineData("https://pypi.org/simple/", "https://pypi.org/simple/flask-login/")]
    [InlineData("https://pypi.org/simple", "https://pypi.org/simple/flask-login/")]
    [InlineData("https://pypi.org/simple//", "https://pypi.org/simple/flask-login/")]
    [InlineData("https://pypi.org/", "https://pypi.org/flask-login/")]
    [InlineData("https://pypi.org", "https://pypi.org/flask-login/")]
    [InlineData("http://127.0.0.1:8080/team/simple/?x=1#frag", "http://127.0.0.1:8080/team/simple/flask-login/")]
    [InlineData("https://bot:s3cret@pypi.example/simple/", "https://pypi.example/simple/flask-login/")]
    public void Project_page_has_exactly_one_slash_and_no_credentials(string index, string expected) =>
        Assert.Equal(expected, UpstreamAddress.From(new Uri(index)).ProjectPage("flask-login").ToString());

    [Theory]
    [InlineData("https://bot:s3cret@pypi.example/simple/", "bot:s3cret")]
    [InlineData("https://bot%40corp:p%40ss%3Aw%20rd@pypi.example/simple/", "bot@corp:p@ss:w rd")]
    [InlineData("https://token@pypi.example/simple/", "token:")]
    public void Credentials_become_basic_auth(string index, string expected)
    {
        var address = UpstreamAddress.From(new Uri(index));
        Assert.Equal("Basic", address.Authorization!.Scheme);
        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(address.Authorization.Parameter!)));
        Assert.Equal("https://pypi.example", address.Host);
        Assert.DoesNotContain("@", address.Index.ToString());
    }

    [Fact]
    public void No_credentials_no_authorization() =>
        Assert.Null(UpstreamAddress.From(new Uri("https://pypi.org/simple/")).Authorization);

    [Theory]
    [InlineData("https://pypi.example/files/a.whl", true)]
    [InlineData("https://PYPI.example:443/files/a.whl", true)]
    [InlineData("http://pypi.example/files/a.whl", false)]
    [InlineData("https://pypi.example:8443/files/a.whl", false)]
    [InlineData("https://files.pypi.example/a.whl", false)]
    public void Credentials_go_to_the_same_scheme_host_and_port_only(string url, bool same) =>
        Assert.Equal(same, UpstreamAddress.From(new Uri("https://bot:s3cret@pypi.example/simple/")).SameHost(new Uri(url)));

    [Theory]
    [InlineData("https://bot:s3cret@pypi.example/simple/", "https://pypi.example/simple/")]
    [InlineData("not a url bot:s3cret@pypi.example/x", "pypi.example/x")]
    public void Redact_removes_credentials(string url, string expected) =>
        Assert.Equal(expected, UpstreamAddress.Redact(url));

    [Theory]
    [InlineData("ftp://bot:s3cret@files.example/simple/")]
    [InlineData("file:///srv/simple/")]
    public void Index_must_be_http_and_the_refusal_names_no_credentials(string index)
    {
        var e = Assert.Throws<ArgumentException>(() => UpstreamAddress.From(new Uri(index)));
        Assert.DoesNotContain("s3cret", e.Message);
    }

    [Fact]
    public async Task Download_refuses_an_expected_hash_that_is_not_sha256()
    {
        using var http = new HttpClient();
        using var copy = new MemoryStream();
        await Assert.ThrowsAsync<ArgumentException>(() => new UpstreamClient(http).DownloadAsync(
            new Uri("https://pypi.example/simple/"), "https://pypi.example/a.whl", "5d41402abc4b2a76b9719d911017c592", copy, CancellationToken.None));
    }
}
