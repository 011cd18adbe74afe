using System.Diagnostics;
using System.Net;
using Clutch.Auth;
using Clutch.Hosting;
using Clutch.Server.Tests.Harness;
using Microsoft.Extensions.DependencyInjection;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Auth;

/// <summary>
/// A password changed or a token revoked by another writer of the catalog (the CLI, another node)
/// stops working here within 5 s, although verified passwords are remembered for a minute.
/// </summary>
public sealed class AccountChangeTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync(
            seed: root => File.SetLastWriteTimeUtc(TestDistributions.Wheel(root, "seeded", "1.0"), DateTime.UtcNow.AddMinutes(-5)),
            configure: o => o.Private = true);
        await _server.AddUserAsync("alice");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_password_changed_by_another_writer_stops_working_within_five_seconds()
    {
        Assert.Equal(HttpStatusCode.OK, await ReadAsync("alice", Password)); // verified, and remembered

        var other = TestStores.OtherWriter(_server.Services.GetRequiredService<ClutchOptions>());
        await using ((IAsyncDisposable)other)
        {
            Assert.True(await other.SetPasswordHashAsync("alice", PasswordHasher.Hash("a new password", 1000), CancellationToken.None));
        }

        var elapsed = await UntilAsync(async () => await ReadAsync("alice", Password) == HttpStatusCode.Unauthorized);
        Assert.True(elapsed < Limit, $"the old password still worked after {elapsed.TotalSeconds:F1} s");
        Assert.Equal(HttpStatusCode.OK, await ReadAsync("alice", "a new password"));
    }

    [Fact]
    public async Task A_token_revoked_by_another_writer_stops_working_within_five_seconds()
    {
        var (secret, id) = TokenSecrets.Generate();
        var other = TestStores.OtherWriter(_server.Services.GetRequiredService<ClutchOptions>());
        await using ((IAsyncDisposable)other)
        {
            await other.AddTokenAsync(new Clutch.Storage.Accounts.ApiToken(id, "alice", "ci", TokenSecrets.Hash(secret), null, null, DateTimeOffset.UtcNow), CancellationToken.None);
            Assert.Equal(HttpStatusCode.OK, await ReadAsync("__token__", secret));
            Assert.True(await other.RevokeTokenAsync(id, CancellationToken.None));
        }

        var elapsed = await UntilAsync(async () => await ReadAsync("__token__", secret) == HttpStatusCode.Unauthorized);
        Assert.True(elapsed < Limit, $"the revoked token still worked after {elapsed.TotalSeconds:F1} s");
    }

    private async Task<HttpStatusCode> ReadAsync(string user, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/simple/seeded/");
        request.Headers.Authorization = Basic(user, secret);
        using var response = await _server.Client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<TimeSpan> UntilAsync(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition() && clock.Elapsed < Limit * 2)
        {
            await Task.Delay(50);
        }

        return clock.Elapsed;
    }
}
