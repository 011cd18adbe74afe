using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

public sealed class HashCheckingServer : ClutchServer
{
    protected override Task SeedAsync(string packagesDir) =>
        SeedPackagesAsync(packagesDir, (new PackageSpec("e2e_hashed", "1.0"), PackageKind.Wheel));
}

/// <summary>Hashes on the PEP 691 JSON page are the real ones: pip's hash-checking mode accepts them.</summary>
public sealed class HashCheckingTests(HashCheckingServer server) : IClassFixture<HashCheckingServer>
{
    [RequiresPythonFact("3.11")]
    public async Task Pip_download_require_hashes_succeeds_with_hashes_read_from_the_json_page()
    {
        var wheel = await PackageFactory.WheelAsync("e2e_hashed", "1.0");
        var sha256 = await Sha256FromJsonPageAsync("e2e-hashed", Path.GetFileName(wheel));
        Assert.Equal(PackageFiles.Sha256(wheel), sha256);

        var result = await DownloadWithHashAsync(sha256);

        result.AssertSuccess();
    }

    [RequiresPythonFact("3.11")]
    public async Task Pip_download_require_hashes_fails_with_a_wrong_hash()
    {
        var result = await DownloadWithHashAsync(new string('0', 64));

        result.AssertFailure();
        Assert.Contains("DO NOT MATCH THE HASHES", result.StdErr + result.StdOut);
    }

    private async Task<string> Sha256FromJsonPageAsync(string project, string filename)
    {
        using var page = await server.GetProjectJsonAsync(project);
        Assert.NotNull(page);
        var file = page.RootElement.GetProperty("files").EnumerateArray()
            .SingleOrDefault(f => f.GetProperty("filename").GetString() == filename);
        Assert.True(file.ValueKind != System.Text.Json.JsonValueKind.Undefined, $"{filename} not on the JSON page:\n{page.RootElement}");
        return file.GetProperty("hashes").GetProperty("sha256").GetString()!;
    }

    private async Task<ProcessResult> DownloadWithHashAsync(string sha256)
    {
        using var work = new TempDirectory("download");
        var requirements = work.Combine("requirements.txt");
        await File.WriteAllTextAsync(requirements, $"e2e-hashed==1.0 --hash=sha256:{sha256}\n");

        return await PythonClient.For("3.11").PipAsync(
            "download", "--index-url", server.SimpleUrl, "--require-hashes", "--no-deps",
            "--dest", work.Combine("dest"), "-r", requirements);
    }
}
