using System.Net;
using Clutch.Server.Tests.Harness;
using Clutch.Storage.Accounts;
using Microsoft.Extensions.DependencyInjection;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Web;

/// <summary>Sign-in, sign-out and API tokens in the browser: sessions, antiforgery, throttling, and one set of rules with the API.</summary>
public sealed class AccountTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync(configure: o => o.AuthFailureLimit = 3);
        await _server.AddUserAsync("alice");
        await _server.AddUserAsync("bob");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private IAccountStore Accounts => _server.Services.GetRequiredService<IAccountStore>();

    [Fact]
    public async Task A_page_for_the_signed_in_sends_a_browser_to_sign_in_and_back()
    {
        using var browser = new BrowserClient(_server);
        using var anonymous = await browser.GetAsync("/account/tokens");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Equal("/account/login?returnUrl=%2Faccount%2Ftokens", anonymous.Headers.Location!.PathAndQuery);

        using var signIn = await browser.SignInAsync("alice", returnUrl: "/account/tokens");
        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        Assert.Equal("/account/tokens", signIn.Headers.Location!.OriginalString);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("clutch_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);

        using var tokens = await browser.GetAsync("/account/tokens");
        var html = await tokens.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
        Assert.Contains("<span class=\"user\">alice</span>", html, StringComparison.Ordinal);
        Assert.True(tokens.Headers.CacheControl!.NoStore, tokens.Headers.CacheControl.ToString());
        Assert.StartsWith("default-src 'none'", string.Join(";", tokens.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);

        using var signOut = await browser.SubmitAsync("/account/tokens", "/account/logout", []);
        Assert.Equal(HttpStatusCode.SeeOther, signOut.StatusCode);
        using var after = await browser.GetAsync("/account/tokens");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Theory]
    [InlineData("//evil.example/x")]
    [InlineData("/\\evil.example")]
    [InlineData("https://evil.example/")]
    public async Task Sign_in_never_sends_the_browser_to_another_site(string returnUrl)
    {
        using var browser = new BrowserClient(_server);
        using var signIn = await browser.SignInAsync("alice", returnUrl: returnUrl);
        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        Assert.Equal("/", signIn.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_wrong_password_shows_the_form_again_and_is_throttled_together_with_the_api()
    {
        using var browser = new BrowserClient(_server);
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await browser.SignInAsync("alice", "not the password");
            var html = await wrong.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains("<p class=\"error\" role=\"alert\">Wrong user name or password.</p>", html, StringComparison.Ordinal);
            Assert.DoesNotContain("clutch_session=", string.Join(" ", wrong.Headers.TryGetValues("Set-Cookie", out var c) ? c : []), StringComparison.Ordinal);
        }

        // The fourth try, even with the right password, waits: the same counter as Basic logins.
        using var held = await browser.SignInAsync("alice");
        Assert.Equal(HttpStatusCode.TooManyRequests, held.StatusCode);
        Assert.True(held.Headers.RetryAfter is not null);
        using var api = await _server.UploadWheelAsync("throttled-demo", "1.0");
        Assert.Equal(HttpStatusCode.TooManyRequests, api.StatusCode);

        // Another user from the same address still signs in.
        using var bob = await browser.SignInAsync("bob");
        Assert.Equal(HttpStatusCode.SeeOther, bob.StatusCode);
    }

    [Fact]
    public async Task A_post_without_its_antiforgery_token_is_refused_and_changes_nothing()
    {
        using var browser = new BrowserClient(_server);
        using (var login = await browser.PostAsync("/account/login", new() { ["username"] = "alice", ["password"] = Password }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);
            Assert.StartsWith("This form is out of date", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.False(login.Headers.TryGetValues("Set-Cookie", out var set) && set.Any(c => c.StartsWith("clutch_session=", StringComparison.Ordinal)));
        }

        using (var signIn = await browser.SignInAsync("alice"))
        {
            Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        }

        using var create = await browser.PostAsync("/account/tokens", new() { ["description"] = "x", ["expires_days"] = "30" });
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        using var forged = await browser.PostAsync("/account/tokens", new() { ["expires_days"] = "30", [BrowserClient.TokenField] = "forged" });
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Empty(await Accounts.ListTokensAsync("alice", CancellationToken.None));

        // A token from another browser's session is no good in this one.
        using var other = new BrowserClient(_server);
        using (await other.SignInAsync("bob"))
        {
        }

        using var crossed = await browser.PostAsync("/account/tokens", new() { ["expires_days"] = "30", [BrowserClient.TokenField] = await other.FormTokenAsync("/account/tokens") });
        Assert.Equal(HttpStatusCode.BadRequest, crossed.StatusCode);
        Assert.Empty(await Accounts.ListTokensAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task A_token_made_in_the_browser_is_shown_once_uploads_and_once_revoked_is_refused()
    {
        using var browser = new BrowserClient(_server);
        using (await browser.SignInAsync("alice"))
        {
        }

        using var created = await browser.SubmitAsync("/account/tokens", "/account/tokens", new() { ["description"] = "ci <b>", ["project"] = "", ["expires_days"] = "30" });
        var html = await created.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var secret = System.Text.RegularExpressions.Regex.Match(html, "<code id=\"new-token\">(clutch_[A-Za-z0-9_-]+)</code>").Groups[1].Value;
        Assert.NotEmpty(secret);
        Assert.Contains("ci &lt;b&gt;", html, StringComparison.Ordinal);
        var token = Assert.Single(await Accounts.ListTokensAsync("alice", CancellationToken.None));
        Assert.Equal("ci <b>", token.Name);
        Assert.InRange(token.Expires!.Value, DateTimeOffset.UtcNow.AddDays(29), DateTimeOffset.UtcNow.AddDays(31));

        using (var upload = await _server.UploadWheelAsync("token-demo", "1.0", "__token__", secret))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        }

        using var again = await browser.GetAsync("/account/tokens");
        var listed = await again.Content.ReadAsStringAsync();
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        Assert.Contains($"/account/tokens/{token.Id}/revoke", listed, StringComparison.Ordinal);

        using var revoked = await browser.SubmitAsync("/account/tokens", $"/account/tokens/{token.Id}/revoke", []);
        Assert.Equal(HttpStatusCode.SeeOther, revoked.StatusCode);
        Assert.Empty(await Accounts.ListTokensAsync("alice", CancellationToken.None));
        using var refused = await _server.UploadWheelAsync("token-demo", "1.1", "__token__", secret);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Theory]
    [InlineData("", "0", "Expires in")]
    [InlineData("", "400", "Expires in")]
    [InlineData("", "ten", "Expires in")]
    [InlineData("not a name!", "30", "is not a project name")]
    [InlineData("bobs-project", "30", "belongs to others")]
    public async Task A_bad_token_form_is_400_with_the_reason_and_stores_nothing(string project, string days, string reason)
    {
        await Accounts.GrantAsync(Clutch.Packaging.ProjectName.Normalize("bobs-project"), "bob", ProjectRoleKind.Owner, CancellationToken.None);
        using var browser = new BrowserClient(_server);
        using (await browser.SignInAsync("alice"))
        {
        }

        using var response = await browser.SubmitAsync("/account/tokens", "/account/tokens", new() { ["project"] = project, ["expires_days"] = days });
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, html, StringComparison.Ordinal);
        Assert.Contains("role=\"alert\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("new-token", html, StringComparison.Ordinal);
        Assert.Empty(await Accounts.ListTokensAsync("alice", CancellationToken.None));
    }

    [Fact]
    public async Task Someone_elses_token_cannot_be_revoked()
    {
        var secret = await _server.CreateTokenAsync("bob");
        var bobs = Assert.Single(await Accounts.ListTokensAsync("bob", CancellationToken.None));
        using var browser = new BrowserClient(_server);
        using (await browser.SignInAsync("alice"))
        {
        }

        using var response = await browser.SubmitAsync("/account/tokens", $"/account/tokens/{bobs.Id}/revoke", []);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Single(await Accounts.ListTokensAsync("bob", CancellationToken.None));
        Assert.NotEmpty(secret);
    }

    [Fact]
    public async Task A_changed_password_or_removed_user_ends_the_session()
    {
        using var browser = new BrowserClient(_server);
        using (await browser.SignInAsync("alice"))
        {
        }

        using (var before = await browser.GetAsync("/account/tokens"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await Accounts.SetPasswordHashAsync("alice", Clutch.Auth.PasswordHasher.Hash("a new password", 1000), CancellationToken.None);
        using var after = await browser.GetAsync("/account/tokens");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);

        using (await browser.SignInAsync("bob"))
        {
        }

        await Accounts.RemoveUserAsync("bob", CancellationToken.None);
        using var removed = await browser.GetAsync("/account/tokens");
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
    }

    [Fact]
    public async Task A_session_outlives_a_restart_because_the_key_ring_is_in_the_catalog()
    {
        using var browser = new BrowserClient(_server);
        using (await browser.SignInAsync("alice"))
        {
        }

        Assert.NotEmpty(await Accounts.ListWebKeysAsync(CancellationToken.None));
        _server = await _server.RestartAsync();
        using var restarted = new BrowserClient(_server);
        foreach (Cookie cookie in browser.Cookies.GetAllCookies())
        {
            restarted.Cookies.Add(new Cookie(cookie.Name, cookie.Value, "/", _server.BaseAddress.Host));
        }

        using var tokens = await restarted.GetAsync("/account/tokens");
        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
        Assert.Contains("<span class=\"user\">alice</span>", await tokens.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
