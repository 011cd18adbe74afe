using System.Net;
using Clutch.Server.Tests.Harness;
using Clutch.Server.Tests.Manage;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Links;

/// <summary>pip honours <c>data-yanked</c> on find-links pages (PEP 592), so they carry it as the simple page does.</summary>
public sealed class LinksYankTests : IAsyncLifetime
{
    private const string Wheel = "demo-1.0-py3-none-any.whl";
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync();
        await _server.AddUserAsync("alice");
        (await _server.UploadWheelAsync("demo", "1.0")).EnsureSuccessStatusCode();
        (await _server.UploadWheelAsync("demo", "1.1")).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("/links/")]
    [InlineData("/links/demo/")]
    public async Task A_yanked_file_carries_data_yanked_with_its_reason_escaped(string path)
    {
        using var yank = await _server.YankAsync("demo", Wheel, "broken <b> & \"quoted\"");
        Assert.Equal(HttpStatusCode.OK, yank.StatusCode);

        var html = await _server.Client.GetStringAsync(path);

        var yanked = html.Split('\n').Single(l => l.Contains(">" + Wheel + "<", StringComparison.Ordinal));
        Assert.EndsWith(" data-yanked=\"broken &lt;b&gt; &amp; &quot;quoted&quot;\">" + Wheel + "</a><br/>", yanked);
        var kept = html.Split('\n').Single(l => l.Contains(">demo-1.1-py3-none-any.whl<", StringComparison.Ordinal));
        Assert.DoesNotContain("data-yanked", kept);
    }

    [Fact]
    public async Task A_yank_without_a_reason_is_an_empty_data_yanked_and_unyank_removes_it()
    {
        (await _server.YankAsync("demo", Wheel)).EnsureSuccessStatusCode();
        Assert.Contains("data-yanked=\"\">" + Wheel + "<", await _server.Client.GetStringAsync("/links/demo/"));
        Assert.Contains("data-yanked=\"\">" + Wheel + "<", await _server.Client.GetStringAsync("/links/"));

        (await _server.SendAsync(HttpMethod.Post, $"/api/projects/demo/files/{Wheel}/unyank")).EnsureSuccessStatusCode();

        Assert.DoesNotContain("data-yanked", await _server.Client.GetStringAsync("/links/demo/"));
        Assert.DoesNotContain("data-yanked", await _server.Client.GetStringAsync("/links/"));
    }
}
