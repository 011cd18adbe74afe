using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

public sealed class PoetryServer : ClutchServer
{
    protected override Task SeedAsync(string packagesDir) =>
        SeedPackagesAsync(packagesDir, (new PackageSpec("e2e_poetry_lib", "1.0"), PackageKind.Wheel));
}

/// <summary>A poetry project with Clutch as its package source resolves local packages.</summary>
public sealed class PoetryTests(PoetryServer server) : IClassFixture<PoetryServer>
{
    [RequiresPythonFact(Tools = [Poetry.Executable])]
    public async Task Poetry_locks_a_local_package_from_a_clutch_source()
    {
        var wheel = await PackageFactory.WheelAsync("e2e_poetry_lib", "1.0");
        using var project = new TempDirectory("poetry");
        await Poetry.WriteProjectAsync(project.Path, server.SimpleUrl, new Dictionary<string, string> { ["e2e-poetry-lib"] = "^1.0" });

        var result = await Poetry.RunAsync(project.Path, "lock");

        result.AssertSuccess();
        var lockFile = await File.ReadAllTextAsync(project.Combine("poetry.lock"));
        Assert.Contains("name = \"e2e-poetry-lib\"", lockFile);
        Assert.Contains("version = \"1.0\"", lockFile);
        Assert.Contains($"sha256:{PackageFiles.Sha256(wheel)}", lockFile);
        Assert.Contains("reference = \"clutch\"", lockFile);
    }
}
