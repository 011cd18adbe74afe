using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

public sealed class RequiresPythonServer : ClutchServer
{
    protected override Task SeedAsync(string packagesDir) => SeedPackagesAsync(
        packagesDir,
        (new PackageSpec("e2e_modern", "1.0"), PackageKind.Wheel),
        (new PackageSpec("e2e_modern", "2.0") { RequiresPython = ">=3.12" }, PackageKind.Wheel));
}

/// <summary><c>data-requires-python</c> steers pip to the newest release its interpreter can run.</summary>
public sealed class RequiresPythonTests(RequiresPythonServer server) : IClassFixture<RequiresPythonServer>
{
    [RequiresPythonFact("3.8")]
    public async Task Python_3_8_never_chooses_a_release_requiring_3_12()
    {
        using var target = new TempDirectory("target");
        var pip = PythonClient.For("3.8");

        var result = await pip.PipInstallAsync(server.SimpleUrl, target.Path, "e2e-modern");

        InstallAssert.Installed(target.Path, "e2e-modern", "1.0", result);
        // Chosen from the page, not found out after downloading: pip never fetches the 2.0 wheel.
        Assert.DoesNotContain("e2e_modern-2.0", result.StdOut + result.StdErr, StringComparison.OrdinalIgnoreCase);
    }

    [RequiresPythonFact("3.8")]
    public async Task Python_3_8_cannot_install_the_release_requiring_3_12_even_when_pinned()
    {
        using var target = new TempDirectory("target");

        var result = await PythonClient.For("3.8").PipInstallAsync(server.SimpleUrl, target.Path, "e2e-modern==2.0");

        result.AssertFailure();
        InstallAssert.NotInstalled(target.Path, "e2e-modern", result);
    }

    [RequiresPythonFact("3.13")]
    public async Task Python_3_13_installs_the_release_requiring_3_12()
    {
        using var target = new TempDirectory("target");

        var result = await PythonClient.For("3.13").PipInstallAsync(server.SimpleUrl, target.Path, "e2e-modern");

        InstallAssert.Installed(target.Path, "e2e-modern", "2.0", result);
    }
}
