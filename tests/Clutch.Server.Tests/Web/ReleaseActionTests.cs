using System.Net;
using Clutch.Server.Tests.Harness;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Web;

/// <summary>An owner's yank, unyank and delete from the browser: a confirmation page, then a POST with its antiforgery token.</summary>
public sealed class ReleaseActionTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync();
        await _server.AddUserAsync("alice");
        await _server.AddUserAsync("bob");
        foreach (var version in new[] { "1.0", "2.0" })
        {
            using var r = await _server.UploadWheelAsync("Web_Demo", version);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<string> SimplePageAsync() => await _server.Client.GetStringAsync("/simple/web-demo/");

    [Fact]
    public async Task The_owner_yanks_with_a_reason_unyanks_and_deletes_after_confirming_each()
    {
        using var browser = new BrowserClient(_server);
        using (await browser.SignInAsync("alice"))
        {
        }

        using (var confirm = await browser.GetAsync("/project/web-demo/2.0/yank"))
        {
            var html = await confirm.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
            Assert.Contains("Web_Demo-2.0-py3-none-any.whl", html, StringComparison.Ordinal);
            Assert.Contains("<button type=\"submit\" class=\"danger\">Yank release</button>", html, StringComparison.Ordinal);
            Assert.DoesNotContain("data-yanked", await SimplePageAsync(), StringComparison.Ordinal); // a GET changes nothing
        }

        using (var yank = await browser.SubmitAsync("/project/web-demo/2.0/yank", "/project/web-demo/2.0/yank", new() { ["reason"] = "broken <build>" }))
        {
            Assert.Equal(HttpStatusCode.SeeOther, yank.StatusCode);
            Assert.Equal("/project/web-demo/2.0/", yank.Headers.Location!.OriginalString);
        }

        var simple = await SimplePageAsync();
        Assert.Contains("data-yanked=\"broken &lt;build&gt;\"", simple, StringComparison.Ordinal);

        using (var unyank = await browser.SubmitAsync("/project/web-demo/2.0/unyank", "/project/web-demo/2.0/unyank", []))
        {
            Assert.Equal(HttpStatusCode.SeeOther, unyank.StatusCode);
        }

        Assert.DoesNotContain("data-yanked", await SimplePageAsync(), StringComparison.Ordinal);

        using (var delete = await browser.SubmitAsync("/project/web-demo/2.0/delete", "/project/web-demo/2.0/delete", new() { ["reason"] = "bad" }))
        {
            Assert.Equal(HttpStatusCode.SeeOther, delete.StatusCode);
            Assert.Equal("/project/web-demo/", delete.Headers.Location!.OriginalString);
        }

        simple = await SimplePageAsync();
        Assert.DoesNotContain("Web_Demo-2.0-py3-none-any.whl", simple, StringComparison.Ordinal);
        Assert.Contains("Web_Demo-1.0-py3-none-any.whl", simple, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_release_page_offers_the_actions_to_its_owner_only()
    {
        using var anonymous = new BrowserClient(_server);
        Assert.DoesNotContain("class=\"manage\"", await (await anonymous.GetAsync("/project/web-demo/2.0/")).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var bob = new BrowserClient(_server);
        using (await bob.SignInAsync("bob"))
        {
        }

        Assert.DoesNotContain("class=\"manage\"", await (await bob.GetAsync("/project/web-demo/2.0/")).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var alice = new BrowserClient(_server);
        using (await alice.SignInAsync("alice"))
        {
        }

        var html = await (await alice.GetAsync("/project/web-demo/2.0/")).Content.ReadAsStringAsync();
        Assert.Contains("<a href=\"/project/web-demo/2.0/yank\">Yank…</a>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/project/web-demo/2.0/delete\">Delete…</a>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("unyank", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Someone_who_is_not_an_owner_gets_403_and_nothing_changes()
    {
        using var browser = new BrowserClient(_server);
        using (await browser.SignInAsync("bob"))
        {
        }

        using var confirm = await browser.GetAsync("/project/web-demo/2.0/yank");
        Assert.Equal(HttpStatusCode.Forbidden, confirm.StatusCode);
        Assert.Contains("only its owners and admins may", await confirm.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Even with a valid form token (from a page bob may see) the POST is refused.
        var token = await browser.FormTokenAsync("/account/tokens");
        using var post = await browser.PostAsync("/project/web-demo/2.0/delete", new() { [BrowserClient.TokenField] = token });
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Contains("Web_Demo-2.0-py3-none-any.whl", await SimplePageAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_session_the_browser_is_sent_to_sign_in_and_a_forged_post_is_refused()
    {
        using var browser = new BrowserClient(_server);
        using var confirm = await browser.GetAsync("/project/web-demo/2.0/yank");
        Assert.Equal(HttpStatusCode.Redirect, confirm.StatusCode);
        Assert.StartsWith("/account/login?returnUrl=", confirm.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        // Basic credentials (a client, not a browser) do not reach the browser's forms either.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/project/web-demo/2.0/delete") { Content = new FormUrlEncodedContent([]) };
        request.Headers.Authorization = Basic("alice", Password);
        using var basic = await _server.Client.SendAsync(request);
        Assert.NotEqual(HttpStatusCode.SeeOther, basic.StatusCode);

        using (await browser.SignInAsync("alice"))
        {
        }

        using var forged = await browser.PostAsync("/project/web-demo/2.0/delete", []);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("Web_Demo-2.0-py3-none-any.whl", await SimplePageAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_api_never_takes_the_browsers_session_so_a_forged_cross_site_request_cannot_use_it()
    {
        using var browser = new BrowserClient(_server);
        using (await browser.SignInAsync("alice"))
        {
        }

        using var yank = await browser.Http.PostAsync("/api/projects/web-demo/releases/2.0/yank", null);
        Assert.Equal(HttpStatusCode.Unauthorized, yank.StatusCode);
        using var upload = await browser.Http.PostAsync("/legacy/", Form(WheelBytes("web-demo", "3.0"), "Web_Demo-3.0-py3-none-any.whl", "web-demo", "3.0"));
        Assert.Equal(HttpStatusCode.Unauthorized, upload.StatusCode);
        var simple = await SimplePageAsync();
        Assert.DoesNotContain("data-yanked", simple, StringComparison.Ordinal);
        Assert.DoesNotContain("Web_Demo-3.0-py3-none-any.whl", simple, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/project/web-demo/9.9/yank")]
    [InlineData("/project/no-such-project/1.0/yank")]
    [InlineData("/project/not%20a%20name/1.0/delete")]
    public async Task An_unknown_release_is_404(string path)
    {
        using var browser = new BrowserClient(_server);
        using (await browser.SignInAsync("alice"))
        {
        }

        using var response = await browser.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_reason_over_the_limit_is_400_and_nothing_is_yanked()
    {
        using var browser = new BrowserClient(_server);
        using (await browser.SignInAsync("alice"))
        {
        }

        using var response = await browser.SubmitAsync("/project/web-demo/2.0/yank", "/project/web-demo/2.0/yank", new() { ["reason"] = new string('x', 1001) });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("role=\"alert\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("data-yanked", await SimplePageAsync(), StringComparison.Ordinal);
    }
}
