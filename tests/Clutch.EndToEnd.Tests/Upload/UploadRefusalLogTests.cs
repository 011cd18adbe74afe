using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests.Upload;

/// <summary>The server's log names the file of every refused upload, even one refused before its bytes are read.</summary>
public sealed class UploadRefusalLogTests(ClutchServer server) : IClassFixture<ClutchServer>
{
    [RequiresPythonFact("3.11", Tools = [Twine.Executable])]
    public async Task An_upload_refused_before_its_bytes_are_read_is_logged_with_its_filename()
    {
        await server.AddUserAsync("scoped", "twine-password-1");
        var token = await Accounts.CreateTokenAsync(server, "scoped", project: "some-other-project");
        var wheel = await PackageFactory.WheelAsync("up_logged", "1.0");

        var result = await Twine.UploadAsync(server.UploadUrl, "__token__", token, [wheel]);

        result.AssertFailure();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!server.Output.Contains("refused (403)", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(
            server.Output.Contains("Upload of up_logged-1.0-py3-none-any.whl by scoped refused (403)", StringComparison.Ordinal),
            "The refusal is not logged with the filename:\n" + server.Output);
    }
}
