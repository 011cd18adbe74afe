using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests.Upload;

/// <summary>A server started with <c>--private</c>.</summary>
public sealed class PrivateClutchServer() : ClutchServer(["--private"]);

/// <summary>pip against a private index: refused without credentials, installs with them in the URL.</summary>
public sealed class PrivateIndexTests(PrivateClutchServer server) : IClassFixture<PrivateClutchServer>
{
    [RequiresPythonFact("3.11", Tools = [Twine.Executable])]
    public async Task Anonymous_pip_gets_401_and_pip_with_credentials_in_the_url_installs()
    {
        await Accounts.AddUserAsync(server, "reader", "private-password-1");
        var token = await Accounts.CreateTokenAsync(server, "reader");
        var wheel = await PackageFactory.WheelAsync("up_private", "1.0");
        (await Twine.UploadAsync(server.UploadUrl, "__token__", token, [wheel])).AssertSuccess();
        var pip = PythonClient.For("3.11");

        using var anonymous = new TempDirectory("anonymous");
        var refused = await pip.PipInstallAsync(server.SimpleUrl, anonymous.Path, "--no-input", "up_private");
        refused.AssertFailure();
        using var page = await server.HttpClient.GetAsync(server.SimpleUrl + "up-private/");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Equal("Basic realm=\"clutch\"", page.Headers.WwwAuthenticate.ToString());

        using var target = new TempDirectory("installed");
        var authenticated = server.SimpleUrl.Replace("http://", $"http://reader:{token}@", StringComparison.Ordinal);
        (await pip.PipInstallAsync(authenticated, target.Path, "up_private")).AssertSuccess();
        Assert.Equal("1.0", PythonClient.InstalledIn(target.Path)["up-private"]);
    }
}
