using System.Net;
using Clutch.Server.Tests.Harness;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Web;

/// <summary><c>/project/{name}/</c>: versions newest first in PEP 440 order, pre-releases marked, yanked struck with the reason, metadata inert.</summary>
public sealed class ProjectPageTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync();
        await _server.AddUserAsync("alice");
        foreach (var version in new[] { "1.0", "1.10", "1.9", "2.0rc1" })
        {
            using var r = await _server.UploadWheelAsync("Web_Demo", version);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Versions_are_newest_first_with_pre_releases_marked_and_a_no_script_policy()
    {
        using var response = await _server.Client.GetAsync("/project/web-demo/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {html}");
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.StartsWith("default-src 'none'", policy, StringComparison.Ordinal); // no script source at all
        Assert.DoesNotContain("script-src", policy, StringComparison.Ordinal);
        Assert.Contains("<span class=\"version\">1.10</span>", html, StringComparison.Ordinal); // the latest release, not the pre-release
        var list = html[html.IndexOf("<ul class=\"versions\">", StringComparison.Ordinal)..];
        var order = new[] { ">2.0rc1<", ">1.10<", ">1.9<", ">1.0<" }.Select(v => list.IndexOf(v, StringComparison.Ordinal)).ToArray();
        Assert.All(order, i => Assert.True(i > 0, html));
        Assert.Equal(order.Order(), order);
        Assert.Contains("pre-release", html, StringComparison.Ordinal);
        Assert.Contains("pip install --index-url http://", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_not_in_canonical_form_redirects_and_an_unknown_one_is_404()
    {
        using var redirect = await _server.Client.GetAsync("/project/Web_Demo/");
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal("/project/web-demo/", redirect.Headers.Location!.OriginalString);

        using var missing = await _server.Client.GetAsync("/project/no-such-project/");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Script_in_the_summary_is_shown_as_text()
    {
        await using var server = await InProcessServer.StartAsync(root =>
            TestDistributions.Wheel(root, "hostile", "1.0", summary: "<script>alert(1)</script> & \"quoted\""));

        var html = await server.Client.GetStringAsync("/project/hostile/");

        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_yanked_version_is_struck_through_with_its_reason()
    {
        var catalog = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Clutch.Storage.ICatalog>(_server.Services);
        Assert.True(await catalog.SetYankedAsync("Web_Demo-1.9-py3-none-any.whl", true, "broken <b>build</b>", CancellationToken.None));

        var html = "";
        Assert.True(
            await _server.WaitForPageAsync("/project/web-demo/", page => (html = page).Contains("<del>1.9</del>", StringComparison.Ordinal), TimeSpan.FromSeconds(5)),
            html);
        Assert.Contains("<del>1.9</del> <span class=\"yanked\">yanked: broken &lt;b&gt;build&lt;/b&gt;</span>", html, StringComparison.Ordinal);
        Assert.Contains("<span>1.10</span>", html, StringComparison.Ordinal);
    }
}
