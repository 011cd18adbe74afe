using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

public sealed class RestartServer : ClutchServer
{
    protected override Task SeedAsync(string packagesDir) =>
        SeedPackagesAsync(packagesDir, (new PackageSpec("e2e_durable", "1.0"), PackageKind.Wheel));
}

/// <summary>The catalog in the folder survives a crash: a killed server comes back serving the same files.</summary>
public sealed class RestartTests(RestartServer server) : IClassFixture<RestartServer>
{
    [RequiresPythonFact("3.11")]
    public async Task Files_are_still_served_after_kill_9_and_restart()
    {
        var wheel = Path.GetFileName(await PackageFactory.WheelAsync("e2e_durable", "1.0"));
        Assert.True(await server.WaitUntilAsync("e2e-durable", wheel, listed: true, TimeSpan.FromSeconds(15)), server.Output);
        var before = server.BaseUrl;

        await server.RestartAsync();

        Assert.Equal(before, server.BaseUrl);
        Assert.Contains(wheel, await server.ListFilesAsync("e2e-durable"));
        using var target = new TempDirectory("target");
        var result = await PythonClient.For("3.11").PipInstallAsync(server.SimpleUrl, target.Path, "e2e-durable");
        InstallAssert.Installed(target.Path, "e2e-durable", "1.0", result);
    }
}
