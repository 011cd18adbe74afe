using System.Net;
using Clutch.Server.Tests.Harness;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Web;

/// <summary>With <c>--private</c>, every page needs a session (browsers) or credentials (clients), as the API does.</summary>
public sealed class PrivatePagesTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync(configure: o => o.Private = true);
        await _server.AddUserAsync("alice");
        using var r = await _server.UploadWheelAsync("Web_Demo", "1.0");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("/")]
    [InlineData("/project/web-demo/")]
    [InlineData("/account/tokens")]
    public async Task A_browser_without_a_session_is_sent_to_sign_in(string path)
    {
        using var browser = new BrowserClient(_server);
        using var response = await browser.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith("/account/login?returnUrl=" + Uri.EscapeDataString(path), response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sign_in_page_is_open_and_a_client_still_gets_the_basic_challenge()
    {
        using var browser = new BrowserClient(_server);
        using var login = await browser.GetAsync("/account/login?returnUrl=%2F");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);

        using var simple = await browser.GetAsync("/simple/web-demo/");
        Assert.Equal(HttpStatusCode.Unauthorized, simple.StatusCode);
        Assert.Equal("Basic", simple.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task A_signed_in_browser_sees_the_pages_and_downloads_files()
    {
        using var browser = new BrowserClient(_server);
        using (var signIn = await browser.SignInAsync("alice", returnUrl: "/project/web-demo/"))
        {
            Assert.Equal("/project/web-demo/", signIn.Headers.Location!.OriginalString);
        }

        using var page = await browser.GetAsync("/project/web-demo/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using var simple = await browser.GetAsync("/simple/web-demo/");
        var html = await simple.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, simple.StatusCode);
        var href = System.Text.RegularExpressions.Regex.Match(html, "href=\"([^\"#]+)").Groups[1].Value;
        using var file = await browser.GetAsync(new Uri(new Uri(_server.BaseAddress, "/simple/web-demo/"), href).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.NotEmpty(await file.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Basic_credentials_open_the_pages_too()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/project/web-demo/");
        request.Headers.Authorization = Basic("alice", Password);
        using var response = await _server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
