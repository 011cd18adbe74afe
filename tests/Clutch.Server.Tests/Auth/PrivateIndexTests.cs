using System.Net;
using Clutch.Server.Tests.Harness;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Auth;

public sealed class PrivateIndexTests : IAsyncLifetime
{
    private const string BcryptUser = "carol";
    private const string BcryptPassword = "pypiserver-era";
    private InProcessServer _server = null!;
    private string _htpasswd = null!;

    public async Task InitializeAsync()
    {
        _htpasswd = Path.Combine(Path.GetTempPath(), "clutch-htpasswd-" + Guid.NewGuid().ToString("N"));
        // htpasswd -B writes $2y$; BCrypt.Net writes $2a$/$2b$ — rewrite to what Apache's tool produces.
        var hash = "$2y$" + BCrypt.Net.BCrypt.HashPassword(BcryptPassword, 4)[4..];
        await File.WriteAllTextAsync(_htpasswd, $"# pypiserver users\n{BcryptUser}:{hash}\nmd5user:$apr1$abc$def\n");
        _server = await InProcessServer.StartAsync(
            // An old mtime: the indexer leaves files younger than its settle time for a later pass.
            seed: root => File.SetLastWriteTimeUtc(TestDistributions.Wheel(root, "seeded", "1.0"), DateTime.UtcNow.AddMinutes(-5)),
            configure: o =>
            {
                o.Private = true;
                o.Htpasswd = _htpasswd;
            });
        await _server.AddUserAsync("alice");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        File.Delete(_htpasswd);
    }

    [Theory]
    [InlineData("/simple/seeded/")]
    [InlineData("/simple/Seeded")]
    [InlineData("/links/seeded/")]
    [InlineData("/files/seeded-1.0-py3-none-any.whl")]
    public async Task Anonymous_read_of_a_private_index_is_401_with_a_basic_challenge(string path)
    {
        using var response = await _server.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic realm=\"clutch\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Read_with_a_token_or_password_is_allowed()
    {
        var token = await _server.CreateTokenAsync("alice");
        foreach (var (user, secret) in new[] { ("alice", Password), ("__token__", token), ("alice", token), (BcryptUser, BcryptPassword) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/simple/seeded/");
            request.Headers.Authorization = Basic(user, secret);
            using var response = await _server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Token_with_another_users_name_is_401()
    {
        var token = await _server.CreateTokenAsync("alice");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/simple/seeded/");
        request.Headers.Authorization = Basic(BcryptUser, token);

        using var response = await _server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Read_with_a_wrong_password_is_401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/simple/seeded/");
        request.Headers.Authorization = Basic("alice", "wrong");

        using var response = await _server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Health_checks_stay_open()
    {
        using var live = await _server.Client.GetAsync("/health/live");
        using var ready = await _server.Client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Htpasswd_bcrypt_user_can_upload()
    {
        using var response = await _server.UploadWheelAsync("from-htpasswd", "1.0", user: BcryptUser, secret: BcryptPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Htpasswd_entries_that_are_not_bcrypt_are_refused()
    {
        using var response = await _server.UploadWheelAsync("md5", "1.0", user: "md5user", secret: "whatever");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
