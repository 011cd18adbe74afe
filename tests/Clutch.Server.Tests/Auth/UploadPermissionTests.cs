using System.Net;
using Clutch.Packaging;
using Clutch.Server.Tests.Harness;
using Clutch.Storage.Accounts;
using Microsoft.Extensions.DependencyInjection;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Auth;

public sealed class UploadPermissionTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync(configure: o => o.AuthFailureLimit = 3);
        await _server.AddUserAsync("alice");
        await _server.AddUserAsync("bob");
        await _server.AddUserAsync("root", admin: true);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private IAccountStore Accounts => _server.Services.GetRequiredService<IAccountStore>();

    [Fact]
    public async Task Anonymous_upload_is_401_with_a_basic_challenge()
    {
        using var response = await _server.UploadWheelAsync("anon", "1.0", user: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic realm=\"clutch\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Empty(_server.PublicFiles());
    }

    [Fact]
    public async Task Wrong_password_is_401_and_nothing_is_stored()
    {
        using var response = await _server.UploadWheelAsync("wrongpw", "1.0", secret: "not the password");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(_server.PublicFiles());
        Assert.Empty(_server.TempFiles());
    }

    [Fact]
    public async Task First_uploader_owns_the_project_and_others_get_403()
    {
        using var first = await _server.UploadWheelAsync("owned", "1.0", user: "alice");
        using var second = await _server.UploadWheelAsync("owned", "2.0", user: "bob");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, second.StatusCode);
        Assert.Contains("clutch perm grant", await second.Content.ReadAsStringAsync());
        var roles = await Accounts.GetProjectRolesAsync(ProjectName.Normalize("owned"), CancellationToken.None);
        Assert.Equal([new ProjectRole(ProjectName.Normalize("owned"), "alice", ProjectRoleKind.Owner)], roles);
    }

    [Fact]
    public async Task Granted_user_and_admin_may_upload_to_someone_elses_project()
    {
        using var first = await _server.UploadWheelAsync("shared", "1.0", user: "alice");
        await Accounts.GrantAsync(ProjectName.Normalize("shared"), "bob", ProjectRoleKind.Maintainer, CancellationToken.None);

        using var bob = await _server.UploadWheelAsync("shared", "2.0", user: "bob");
        using var admin = await _server.UploadWheelAsync("shared", "3.0", user: "root");

        Assert.Equal(HttpStatusCode.OK, bob.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task Names_equal_after_normalization_are_one_project()
    {
        using var first = await _server.UploadAsync(Form(WheelBytes("Foo_Bar", "1.0"), "Foo_Bar-1.0-py3-none-any.whl", "Foo_Bar", "1.0"), "alice");
        using var second = await _server.UploadAsync(Form(WheelBytes("foo-bar", "2.0"), "foo_bar-2.0-py3-none-any.whl", "foo-bar", "2.0"), "bob");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, second.StatusCode);
        Assert.Equal(["foo-bar/Foo_Bar-1.0-py3-none-any.whl"], _server.PublicFiles());
    }

    [Fact]
    public async Task Token_uploads_as_its_user()
    {
        var token = await _server.CreateTokenAsync("alice");

        using var response = await _server.UploadWheelAsync("tokened", "1.0", user: Clutch.Auth.Authenticator.TokenUser, secret: token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var roles = await Accounts.GetProjectRolesAsync(ProjectName.Normalize("tokened"), CancellationToken.None);
        Assert.Equal("alice", Assert.Single(roles).UserName);
    }

    [Fact]
    public async Task Token_scoped_to_another_project_is_403_even_for_an_admin()
    {
        var token = await _server.CreateTokenAsync("root", project: "elsewhere");

        using var response = await _server.UploadWheelAsync("scoped", "1.0", user: "__token__", secret: token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("limited to project 'elsewhere'", await response.Content.ReadAsStringAsync());
        Assert.Empty(_server.PublicFiles());
    }

    [Fact]
    public async Task Token_scoped_to_the_project_uploads()
    {
        var token = await _server.CreateTokenAsync("alice", project: "Scoped_Ok");

        using var response = await _server.UploadWheelAsync("scoped-ok", "1.0", user: "__token__", secret: token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Expired_or_revoked_token_is_401()
    {
        var expired = await _server.CreateTokenAsync("alice", expires: DateTimeOffset.UtcNow.AddMinutes(-1));
        var revoked = await _server.CreateTokenAsync("alice");
        var id = (await Accounts.ListTokensAsync("alice", CancellationToken.None)).Single(t => t.Hash == Clutch.Auth.TokenSecrets.Hash(revoked)).Id;
        await Accounts.RevokeTokenAsync(id, CancellationToken.None);

        using var a = await _server.UploadWheelAsync("expiry", "1.0", user: "__token__", secret: expired);
        using var b = await _server.UploadWheelAsync("expiry", "1.0", user: "__token__", secret: revoked);

        Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, b.StatusCode);
    }

    [Fact]
    public async Task Repeated_failures_from_one_client_get_429_with_retry_after()
    {
        for (var i = 0; i < 3; i++)
        {
            using var failed = await _server.UploadWheelAsync("guess", "1.0", user: "bob", secret: "guess " + i);
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var throttled = await _server.UploadWheelAsync("guess", "1.0", user: "bob", secret: Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.True(throttled.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }
}
