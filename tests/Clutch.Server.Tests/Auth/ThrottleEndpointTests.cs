using System.Net;
using Clutch.Server.Tests.Harness;
using Clutch.Server.Tests.Manage;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Auth;

/// <summary>
/// Password guessing is held per (address, user name): every client of these tests shares one
/// address (loopback), like a team behind one CI NAT.
/// </summary>
public sealed class ThrottleEndpointTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync(configure: o =>
        {
            o.AuthFailureLimit = 3;
            o.AuthFailureAddressLimit = 8;
        });
        await _server.AddUserAsync("alice");
        await _server.AddUserAsync("bob");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task FloodAsync(string user, int times)
    {
        for (var i = 0; i < times; i++)
        {
            using var failed = await _server.UploadWheelAsync("flooded", "1.0", user: user, secret: "guess " + i);
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }
    }

    [Fact]
    public async Task Wrong_passwords_for_one_user_do_not_stop_another_user_from_the_same_address()
    {
        await FloodAsync("bob", 3);

        using var bob = await _server.UploadWheelAsync("held", "1.0", user: "bob");
        using var alice = await _server.UploadWheelAsync("free", "1.0", user: "alice");

        Assert.Equal(HttpStatusCode.TooManyRequests, bob.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alice.StatusCode);
    }

    [Fact]
    public async Task The_429_body_names_the_user_and_says_when_to_retry()
    {
        await FloodAsync("bob", 3);

        using var throttled = await _server.UploadWheelAsync("held", "1.0", user: "bob");

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        var body = await throttled.Content.ReadAsStringAsync();
        Assert.Matches(@"^Too many failed logins for 'bob' from this address; retry in (\d+) s\.\n$", body);
        var seconds = int.Parse(System.Text.RegularExpressions.Regex.Match(body, @"retry in (\d+) s").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromSeconds(seconds), throttled.Headers.RetryAfter?.Delta);
        // twine prints the status line's reason phrase (the body only with --verbose).
        Assert.Equal(body.TrimEnd('\n'), throttled.ReasonPhrase);
    }

    [Fact]
    public async Task A_token_is_never_held_by_password_failures_even_when_the_address_is()
    {
        var token = await _server.CreateTokenAsync("alice");
        await FloodAsync("bob", 3);
        for (var i = 0; i < 5; i++)
        {
            await FloodAsync("sprayed" + i, 1);
        }

        using var password = await _server.UploadWheelAsync("sprayed", "1.0", user: "alice");
        using var tokenUpload = await _server.UploadWheelAsync("tokened", "1.0", user: Clutch.Auth.Authenticator.TokenUser, secret: token);
        using var userToken = await _server.UploadWheelAsync("tokened", "2.0", user: "alice", secret: token);

        Assert.Equal(HttpStatusCode.TooManyRequests, password.StatusCode);
        Assert.Equal("Too many failed logins from this address; retry in", (await password.Content.ReadAsStringAsync())[..50]);
        Assert.Equal(HttpStatusCode.OK, tokenUpload.StatusCode);
        Assert.Equal(HttpStatusCode.OK, userToken.StatusCode);
    }

    [Fact]
    public async Task Management_api_429_says_when_to_retry_in_the_problem_detail()
    {
        for (var i = 0; i < 3; i++)
        {
            using var failed = await _server.SendAsync(HttpMethod.Post, "/api/projects/flooded/files/flooded-1.0-py3-none-any.whl/yank", user: "bob", secret: "guess");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var throttled = await _server.SendAsync(HttpMethod.Post, "/api/projects/flooded/files/flooded-1.0-py3-none-any.whl/yank", user: "bob");
        using var other = await _server.SendAsync(HttpMethod.Post, "/api/projects/flooded/files/flooded-1.0-py3-none-any.whl/yank", user: "alice");

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        var problem = await ManageApi.ProblemAsync(throttled);
        Assert.Matches(@"^Too many failed logins for 'bob' from this address; retry in \d+ s\.$", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }
}
