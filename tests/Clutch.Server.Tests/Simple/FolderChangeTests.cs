using System.Text.Json;
using Clutch.Server.Tests.Harness;

namespace Clutch.Server.Tests.Simple;

[Collection(TimingCollection.Name)]
public class FolderChangeTests
{
    [FolderFact]
    public async Task A_wheel_dropped_into_the_folder_is_listed_within_a_second_and_gone_within_a_second_of_deletion()
    {
        await using var server = await InProcessServer.StartAsync();
        var root = await server.Client.GetStringAsync("/simple/");
        Assert.DoesNotContain("dropped", root);

        // Built elsewhere and moved in, the way CI publishes by copy.
        var staging = Directory.CreateTempSubdirectory().FullName;
        var built = TestDistributions.Wheel(staging, "dropped", "1.0");
        File.Move(built, Path.Combine(server.Root, Path.GetFileName(built)));
        Assert.True(await server.WaitForPageAsync("/simple/dropped/", html => html.Contains("dropped-1.0-py3-none-any.whl"), TimeSpan.FromSeconds(1)),
            "dropped wheel not listed within 1 s");
        Assert.Contains("dropped/", await server.Client.GetStringAsync("/simple/"));

        File.Delete(Path.Combine(server.Root, "dropped-1.0-py3-none-any.whl"));
        Assert.True(await server.WaitForPageAsync("/simple/dropped/", html => !html.Contains("dropped-1.0"), TimeSpan.FromSeconds(1)),
            "deleted wheel still listed after 1 s");
        using var gone = await server.Client.GetAsync("/files/dropped-1.0-py3-none-any.whl");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
    }

    [FolderFact]
    public async Task Upload_time_of_a_dropped_file_is_stable_across_restarts()
    {
        var root = Directory.CreateTempSubdirectory("clutch-restart-").FullName;
        var wheel = TestDistributions.Wheel(root, "steady", "1.0");
        File.SetLastWriteTimeUtc(wheel, DateTime.UtcNow.AddMinutes(-1));
        string first;
        var server = await InProcessServer.StartAsync(root: root);
        try
        {
            first = await UploadTimeAsync(server);
        }
        finally
        {
            await server.StopAsync();
        }

        await Task.Delay(50);
        await using var again = await InProcessServer.StartAsync(root: root);
        Assert.Equal(first, await UploadTimeAsync(again));
    }

    private static async Task<string> UploadTimeAsync(InProcessServer server)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/simple/steady/");
        request.Headers.TryAddWithoutValidation("Accept", "application/vnd.pypi.simple.v1+json");
        using var r = await server.Client.SendAsync(request);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("files")[0].GetProperty("upload-time").GetString()!;
    }
}
