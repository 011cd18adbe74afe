using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Clutch.Server.Tests.Harness;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Simple;

/// <summary>
/// Archives of real size (several MB, many members): whether dropped into the folder or uploaded,
/// their page carries Requires-Python and, for wheels, PEP 658 core metadata that serves the bytes
/// of the wheel's METADATA.
/// </summary>
public sealed partial class LargeArchiveTests
{
    private const string RequiresPython = ">=3.9";

    public static TheoryData<string, string, string> Kinds => new()
    {
        { "big-wheel", "big_wheel-1.0-py3-none-any.whl", "bdist_wheel" },
        { "big-sdist", "big-sdist-1.0.tar.gz", "sdist" },
        { "big-egg", "big_egg-1.0-py3.9.egg", "bdist_egg" },
    };

    private static byte[] Build(string project, string filename) =>
        filename.EndsWith(".whl", StringComparison.Ordinal) ? LargeDistributions.Wheel(project, "1.0", RequiresPython)
        : filename.EndsWith(".egg", StringComparison.Ordinal) ? LargeDistributions.Egg(project, "1.0", RequiresPython)
        : LargeDistributions.Sdist(project, "1.0", RequiresPython);

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_large_archive_dropped_into_the_folder_carries_its_metadata(string project, string filename, string filetype)
    {
        _ = filetype;
        var bytes = Build(project, filename);
        Assert.True(bytes.Length > 2 * 1024 * 1024, $"{filename} is only {bytes.Length} bytes");
        await using var server = await InProcessServer.StartAsync(seed: root => File.WriteAllBytes(Path.Combine(root, filename), bytes));

        await AssertMetadataServedAsync(server, project, filename);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_large_archive_uploaded_carries_its_metadata(string project, string filename, string filetype)
    {
        var bytes = Build(project, filename);
        await using var server = await InProcessServer.StartAsync(configure: o => o.MaxUploadBytes = 16 * 1024 * 1024);
        await server.AddUserAsync("alice");

        using var response = await server.UploadAsync(Form(bytes, filename, project, "1.0", filetype));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await AssertMetadataServedAsync(server, project, filename);
    }

    private static async Task AssertMetadataServedAsync(InProcessServer server, string project, string filename)
    {
        var page = await server.Client.GetStringAsync($"/simple/{project}/");
        var anchor = Assert.Single(AnchorPattern().Matches(page), m => m.Value.Contains(filename, StringComparison.Ordinal));
        Assert.Contains("data-requires-python=\"&gt;=3.9\"", anchor.Value, StringComparison.Ordinal);
        if (!filename.EndsWith(".whl", StringComparison.Ordinal))
        {
            return;
        }

        Assert.Contains("data-core-metadata=\"sha256=", anchor.Value, StringComparison.Ordinal);
        var href = anchor.Groups["href"].Value.Split('#')[0];
        var metadataUrl = new Uri(new Uri(server.BaseAddress, $"/simple/{project}/"), href + ".metadata");
        var metadata = await server.Client.GetByteArrayAsync(metadataUrl);
        Assert.Equal(LargeDistributions.Metadata(project, "1.0", RequiresPython), Encoding.UTF8.GetString(metadata));
    }

    [GeneratedRegex("<a href=\"(?<href>[^\"]+)\"[^>]*>")]
    private static partial Regex AnchorPattern();
}
