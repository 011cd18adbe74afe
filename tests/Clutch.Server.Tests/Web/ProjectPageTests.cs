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
        var order = new[] { "2.0rc1", "1.10", "1.9", "1.0" }
            .Select(v => list.IndexOf($"<a href=\"/project/web-demo/{v}/\">{v}</a>", StringComparison.Ordinal)).ToArray();
        Assert.All(order, i => Assert.True(i > 0, html));
        Assert.Equal(order.Order(), order);
        Assert.Contains("pre-release", html, StringComparison.Ordinal);
        Assert.Contains($"pip install --index-url {_server.BaseAddress}simple/ web-demo", html, StringComparison.Ordinal);
        Assert.Contains($"uv pip install --index-url {_server.BaseAddress}simple/ web-demo", html, StringComparison.Ordinal);
        Assert.Contains($"poetry source add --priority=supplemental clutch {_server.BaseAddress}simple/\npoetry add --source clutch web-demo", html, StringComparison.Ordinal);
        Assert.Contains($"easy_install -f {_server.BaseAddress}links/web-demo/ web-demo", html, StringComparison.Ordinal);
        Assert.Equal(2, html.Split("<h1").Length); // one h1
    }

    [Fact]
    public async Task Owners_and_maintainers_are_listed_by_name()
    {
        var accounts = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Clutch.Storage.Accounts.IAccountStore>(_server.Services);
        await _server.AddUserAsync("bob<i>");
        await accounts.GrantAsync(Clutch.Packaging.ProjectName.Normalize("web-demo"), "bob<i>", Clutch.Storage.Accounts.ProjectRoleKind.Maintainer, CancellationToken.None);

        var html = await _server.Client.GetStringAsync("/project/web-demo/");

        Assert.Contains("<dt>Owners</dt>\n        <dd>alice</dd>", html, StringComparison.Ordinal); // the first uploader owns the project
        Assert.Contains("<dt>Maintainers</dt>\n        <dd>bob&lt;i&gt;</dd>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_answers_like_get_without_a_body()
    {
        using var head = await _server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/project/web-demo/"));
        using var headMissing = await _server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/project/no-such/"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("text/html", head.Content.Headers.ContentType!.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, headMissing.StatusCode);
    }

    [Fact]
    public async Task A_name_not_in_canonical_form_redirects_and_an_unknown_one_is_404()
    {
        using var redirect = await _server.Client.GetAsync("/project/Web_Demo/");
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal("/project/web-demo/", redirect.Headers.Location!.OriginalString);

        using var noSlash = await _server.Client.GetAsync("/project/web-demo");
        Assert.Equal(HttpStatusCode.MovedPermanently, noSlash.StatusCode);
        Assert.Equal("/project/web-demo/", noSlash.Headers.Location!.OriginalString);

        using var missing = await _server.Client.GetAsync("/project/no-such-project/");
        var page = await missing.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("text/html", missing.Content.Headers.ContentType!.MediaType); // a page with the layout, not plain text
        Assert.Contains("<h1>Not found</h1>", page, StringComparison.Ordinal);
        Assert.Contains("There is no project &#x27;no-such-project&#x27; in this index.", page, StringComparison.Ordinal);
        Assert.Contains("<nav class=\"account\"", page, StringComparison.Ordinal);
        Assert.StartsWith("default-src 'none'", string.Join(";", missing.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);

        using var notAName = await _server.Client.GetAsync("/project/-x-/");
        Assert.Equal(HttpStatusCode.NotFound, notAName.StatusCode);
        Assert.Contains("not a valid project name", await notAName.Content.ReadAsStringAsync(), StringComparison.Ordinal);
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
            await _server.WaitForPageAsync("/project/web-demo/", page => (html = page).Contains("<del><a href=\"/project/web-demo/1.9/\">1.9</a></del>", StringComparison.Ordinal), TimeSpan.FromSeconds(5)),
            html);
        Assert.Contains("<del><a href=\"/project/web-demo/1.9/\">1.9</a></del> <span class=\"yanked\">yanked: broken &lt;b&gt;build&lt;/b&gt;</span>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/project/web-demo/1.10/\">1.10</a>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<del><a href=\"/project/web-demo/1.10/\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_shows_the_name_as_the_project_spells_it_on_every_store()
    {
        // On PostgreSQL + S3 the folder is carried over by clutch migrate, which must keep the spelling.
        await using var server = await InProcessServer.StartAsync(root => TestDistributions.Wheel(root, "Beta_Pkg", "1.0"));
        var html = await server.Client.GetStringAsync("/project/beta-pkg/");
        Assert.Contains("<title>Beta_Pkg · Clutch</title>", html, StringComparison.Ordinal);
    }
}
