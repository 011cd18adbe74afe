using System.Text.Json;
using Clutch.Mirror;

namespace Clutch.Server.Tests.Mirror;

public class UpstreamPageJsonTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void Project_page_survives_the_round_trip()
    {
        var page = new UpstreamProjectPage("Flask-Login",
        [
            new UpstreamFile("Flask_Login-0.6.3-py3-none-any.whl", "https://files.example/Flask_Login-0.6.3-py3-none-any.whl", Sha, ">=3.7,<4 & \"x\"",
                false, null, true, Sha, 17234, new DateTimeOffset(2023, 10, 30, 14, 53, 21, TimeSpan.Zero).AddTicks(1519320)),
            new UpstreamFile("Flask-Login-0.1.tar.gz", "https://files.example/Flask-Login-0.1.tar.gz", null, null, true, "broken", true, null, 0, null),
        ]);

        var json = UpstreamPageJson.Serialize(page);
        var back = UpstreamPageJson.DeserializeProject(json);

        Assert.Equal(page.Name, back.Name);
        Assert.Equal(page.Files, back.Files);
        // Compact: one line, and false / null left out.
        Assert.DoesNotContain('\n', json);
        Assert.DoesNotContain("null", json);
        Assert.DoesNotContain("false", json);
    }

    [Fact]
    public void Root_survives_the_round_trip()
    {
        var root = new UpstreamRoot(["Flask-Login", "zope.interface", "Ünïcode"]);
        Assert.Equal(root.Names, UpstreamPageJson.DeserializeRoot(UpstreamPageJson.Serialize(root)).Names);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("null")]
    [InlineData("{\"name\": \"a\"}")]
    [InlineData("{\"name\": \"a\", \"files\": [{\"filename\": \"a-1.0.tar.gz\"}]}")]
    [InlineData("{\"name\": \"a\", \"files\": [{\"url\": 3}]}")]
    [InlineData("{\"name\": ")]
    public void Damaged_stored_page_is_refused(string json) =>
        Assert.ThrowsAny<JsonException>(() => UpstreamPageJson.DeserializeProject(json));

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"names\": [null]}")]
    public void Damaged_stored_root_is_refused(string json) =>
        Assert.ThrowsAny<JsonException>(() => UpstreamPageJson.DeserializeRoot(json));
}
