using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests.Upload;

/// <summary>A server of its own: the flood below must not hold the users of other test classes.</summary>
public sealed class ThrottleServer : ClutchServer;

/// <summary>
/// Everyone here shares one address (loopback), like a team behind a CI NAT: a wrong-password flood
/// for one user holds that user only, and twine shows the holding user when to retry.
/// </summary>
public sealed class TwineThrottleTests(ThrottleServer server) : IClassFixture<ThrottleServer>
{
    private const string Password = "twine-password-1";

    [RequiresPythonFact("3.11", Tools = [Twine.Executable])]
    public async Task A_wrong_password_flood_for_one_user_holds_that_user_only_and_twine_says_when_to_retry()
    {
        await server.AddUserAsync("victim", Password);
        await server.AddUserAsync("colleague", Password);
        var token = await Accounts.CreateTokenAsync(server, "victim");
        for (var i = 0; i < 10; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, server.UploadUrl) { Content = new StringContent("") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("victim:guess-" + i)));
            using var response = await server.HttpClient.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var held = await Twine.UploadAsync(server.UploadUrl, "victim", Password, [await PackageFactory.WheelAsync("up_held", "1.0")]);
        var colleague = await Twine.UploadAsync(server.UploadUrl, "colleague", Password, [await PackageFactory.WheelAsync("up_colleague", "1.0")]);
        var tokened = await Twine.UploadAsync(server.UploadUrl, "__token__", token, [await PackageFactory.WheelAsync("up_victim_token", "1.0")]);

        held.AssertFailure();
        Assert.Matches(@"Too many failed logins for 'victim' from this address; retry in \d+ s\.", held.StdOut + held.StdErr);
        Assert.Empty(await server.ListFilesAsync("up-held"));
        colleague.AssertSuccess();
        tokened.AssertSuccess();
        Assert.Equal(["up_colleague-1.0-py3-none-any.whl"], await server.ListFilesAsync("up-colleague"));
        Assert.Equal(["up_victim_token-1.0-py3-none-any.whl"], await server.ListFilesAsync("up-victim-token"));
    }
}
