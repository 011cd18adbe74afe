using Clutch.Packaging;
using Clutch.Storage;

namespace Clutch.Server.Tests.Storage;

public sealed class DeveloperLinksTests
{
    [Theory]
    [InlineData("https://svn.example.com/repo/trunk", "https://svn.example.com/repo/trunk#egg=foo-bar-dev")]
    [InlineData("git+https://git.example.com/foo.git#egg=foo-dev", "git+https://git.example.com/foo.git#egg=foo-dev")]
    [InlineData("git+https://git.example.com/foo.git#subdirectory=src", "git+https://git.example.com/foo.git#subdirectory=src&egg=foo-bar-dev")]
    [InlineData("<a href=\"https://svn.example.com/foo/trunk#egg=Foo_Bar-dev\">Foo_Bar-dev</a>", "https://svn.example.com/foo/trunk#egg=Foo_Bar-dev")]
    [InlineData("<a href='https://svn.example.com/foo/trunk'>trunk</a>", "https://svn.example.com/foo/trunk#egg=foo-bar-dev")]
    [InlineData("  hg+https://hg.example.com/foo   # the trunk  ", "hg+https://hg.example.com/foo#egg=foo-bar-dev")]
    public void A_line_becomes_one_developer_link(string line, string expected)
    {
        var link = Assert.Single(DeveloperLinks.Parse(ProjectName.Normalize("Foo_Bar"), line));

        Assert.Equal(expected, link.Url);
        Assert.Equal("foo-bar", link.Project.Value);
    }

    [Fact]
    public void Blank_lines_comments_and_duplicates_are_ignored()
    {
        var text = "# developer links for foo\r\n\r\nhttps://a.example/foo\n   \n#https://commented.example\nhttps://a.example/foo\nhttps://b.example/foo\n";

        var links = DeveloperLinks.Parse(ProjectName.Normalize("foo"), text);

        Assert.Equal(["https://a.example/foo#egg=foo-dev", "https://b.example/foo#egg=foo-dev"], links.Select(l => l.Url));
    }

    [Theory]
    [InlineData("https://user:secret@host.example/repo#egg=foo-dev", "https://host.example/repo#egg=foo-dev")]
    [InlineData("git+https://token@host.example/repo.git", "git+https://host.example/repo.git")]
    [InlineData("https://host.example/repo@v1#egg=foo-dev", "https://host.example/repo@v1#egg=foo-dev")]
    [InlineData("svn+ssh://me@svn.example:22/trunk", "svn+ssh://svn.example:22/trunk")]
    [InlineData("https://host.example", "https://host.example")]
    [InlineData("git@github.com:org/repo.git", "git@github.com:org/repo.git")]
    public void Credentials_are_removed_from_the_authority_only(string url, string expected)
        => Assert.Equal(expected, DeveloperLinks.RedactCredentials(url));
}
