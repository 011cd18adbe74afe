using Clutch.Files;
using Clutch.Pages;

namespace Clutch.Server.Tests.Files;

public class UrlKeysTests
{
    [Theory]
    [InlineData("foo-1.0.tar.gz")]
    [InlineData("foo/foo-1.0-py3-none-any.whl")]
    [InlineData("foo/foo-1.0+local.7-py3-none-any.whl")]
    public void Plain_keys_are_safe(string key) => Assert.True(UrlKeys.IsSafe(key));

    [Theory]
    [InlineData("")]
    [InlineData("../secret")]
    [InlineData("foo/../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("foo//bar.whl")]
    [InlineData("foo\\..\\bar.whl")]
    [InlineData(".clutch/catalog.db")]
    [InlineData("foo/.hidden")]
    [InlineData("foo/%2e%2e/bar")]
    [InlineData("C:/windows/win.ini")]
    [InlineData("foo/bar.whl/")]
    [InlineData("foo\0.whl")]
    public void Traversal_and_hidden_keys_are_refused(string key) => Assert.False(UrlKeys.IsSafe(key));

    [Theory]
    [InlineData("gzip", true)]
    [InlineData("gzip, deflate, br", true)]
    [InlineData("br;q=1.0, gzip;q=0.8", true)]
    [InlineData("gzip;q=0", false)]
    [InlineData("gzip;q=0.000", false)]
    [InlineData("identity", false)]
    [InlineData("", false)]
    [InlineData("GZIP", true)]
    [InlineData("x-gzip", true)]
    [InlineData("gzip ; q=0.5", true)]
    [InlineData("gzipped", false)]
    [InlineData("gzip2, deflate", false)]
    public void Gzip_is_used_only_when_accepted(string acceptEncoding, bool expected) =>
        Assert.Equal(expected, PageResponder.AcceptsGzip(acceptEncoding));
}
