using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Clutch.EndToEnd.Tests.Harness;
using static Clutch.EndToEnd.Tests.Harness.BrowserForms;

namespace Clutch.EndToEnd.Tests;

public sealed class PrivatePagesServer() : ClutchServer(["--private"])
{
    protected override Task SeedAsync(string packagesDir) =>
        SeedPackagesAsync(packagesDir, (new PackageSpec("e2e_account", "1.0"), PackageKind.Wheel));
}

/// <summary>
/// Sign-in, tokens and an owner's yank in the shipped program, private mode: the session cookie,
/// antiforgery and the key ring are framework parts whose native build must work like the JIT one.
/// </summary>
public sealed class AccountPagesTests(PrivatePagesServer server) : IClassFixture<PrivatePagesServer>
{
    private const string Password = "e2e account password";

    [Fact]
    public async Task Sign_in_make_a_token_use_it_revoke_it_and_yank_from_the_browser()
    {
        (await server.RunCliAsync(["user", "add", "root-e2e", "--admin", "--password-stdin", .. server.StoreArguments], Password + "\n")).AssertSuccess();
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, CookieContainer = cookies })
        {
            BaseAddress = new Uri(server.BaseUrl),
        };

        using (var home = await browser.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
            Assert.Equal("/account/login?returnUrl=%2F", home.Headers.Location!.OriginalString);
        }

        using (var simple = await browser.GetAsync("/simple/e2e-account/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, simple.StatusCode);
        }

        using (var forged = await browser.PostAsync("/account/login", Form(("username", "root-e2e"), ("password", Password))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        using (var wrong = await browser.PostAsync("/account/login", Form(("username", "root-e2e"), ("password", "wrong"), ("__antiforgery", await TokenAsync(browser, "/account/login")))))
        {
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains("role=\"alert\"", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var signIn = await browser.PostAsync("/account/login", Form(
            ("username", "root-e2e"), ("password", Password), ("returnUrl", "/project/e2e-account/"), ("__antiforgery", await TokenAsync(browser, "/account/login")))))
        {
            Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
            Assert.Equal("/project/e2e-account/", signIn.Headers.Location!.OriginalString);
        }

        using (var page = await browser.GetAsync("/project/e2e-account/"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        string secret;
        using (var created = await browser.PostAsync("/account/tokens", Form(
            ("description", "e2e"), ("project", "e2e-account"), ("expires_days", "7"), ("__antiforgery", await TokenAsync(browser, "/account/tokens")))))
        {
            var html = await created.Content.ReadAsStringAsync();
            Assert.True(created.StatusCode == HttpStatusCode.OK, html);
            secret = BrowserForms.NewTokenIn(html);
            Assert.NotEmpty(secret);
        }

        Assert.Equal(HttpStatusCode.OK, await GetWithTokenAsync(secret));
        var tokensPage = await browser.GetStringAsync("/account/tokens");
        var id = Regex.Match(tokensPage, "/account/tokens/([0-9a-f]+)/revoke").Groups[1].Value;
        using (var revoke = await browser.PostAsync($"/account/tokens/{id}/revoke", Form(("__antiforgery", await TokenAsync(browser, "/account/tokens")))))
        {
            Assert.Equal(HttpStatusCode.SeeOther, revoke.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await GetWithTokenAsync(secret));

        using (var yank = await browser.PostAsync("/project/e2e-account/1.0/yank", Form(("reason", "e2e"), ("__antiforgery", await TokenAsync(browser, "/project/e2e-account/1.0/yank")))))
        {
            Assert.Equal(HttpStatusCode.SeeOther, yank.StatusCode);
        }

        using var json = new HttpRequestMessage(HttpMethod.Get, server.SimpleUrl + "e2e-account/");
        json.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("root-e2e:" + Password)));
        using var listing = await server.HttpClient.SendAsync(json);
        Assert.Contains("data-yanked=\"e2e\"", await listing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using (var signOut = await browser.PostAsync("/account/logout", Form(("__antiforgery", await TokenAsync(browser, "/account/tokens")))))
        {
            Assert.Equal(HttpStatusCode.SeeOther, signOut.StatusCode);
        }

        using var after = await browser.GetAsync("/project/e2e-account/");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Fact]
    public async Task Refusals_have_their_documented_status_codes_in_the_shipped_build()
    {
        (await server.RunCliAsync(["user", "add", "plain-e2e", "--password-stdin", .. server.StoreArguments], Password + "\n")).AssertSuccess();
        using var browser = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri(server.BaseUrl),
        };

        // Ten wrong passwords for one name from one address, then even a sign-in attempt waits: 429 with Retry-After.
        for (var i = 0; i < 10; i++)
        {
            using var wrong = await browser.PostAsync("/account/login", Form(("username", "held-e2e"), ("password", "wrong"), (TokenField, await TokenAsync(browser, "/account/login"))));
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        using (var held = await browser.PostAsync("/account/login", Form(("username", "held-e2e"), ("password", "wrong"), (TokenField, await TokenAsync(browser, "/account/login")))))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, held.StatusCode);
            Assert.NotNull(held.Headers.RetryAfter);
        }

        using (var signIn = await browser.PostAsync("/account/login", Form(("username", "plain-e2e"), ("password", Password), (TokenField, await TokenAsync(browser, "/account/login")))))
        {
            Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        }

        using (var badForm = await browser.PostAsync("/account/tokens", Form(("expires_days", "0"), (TokenField, await TokenAsync(browser, "/account/tokens")))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badForm.StatusCode);
            Assert.Contains("role=\"alert\"", await badForm.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var unknownToken = await browser.PostAsync("/account/tokens/0123456789ab/revoke", Form((TokenField, await TokenAsync(browser, "/account/tokens")))))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknownToken.StatusCode);
        }

        using (var notOwner = await browser.GetAsync("/project/e2e-account/1.0/delete"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notOwner.StatusCode);
        }

        using (var noVersion = await browser.GetAsync("/project/e2e-account/9.9/yank"))
        {
            Assert.Equal(HttpStatusCode.NotFound, noVersion.StatusCode);
        }
    }

    private async Task<HttpStatusCode> GetWithTokenAsync(string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, server.SimpleUrl + "e2e-account/");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("__token__:" + secret)));
        using var response = await server.HttpClient.SendAsync(request);
        return response.StatusCode;
    }
}
