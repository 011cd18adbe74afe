using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

public sealed class PipIndexServer : ClutchServer
{
    protected override Task SeedAsync(string packagesDir) => SeedPackagesAsync(
        packagesDir,
        (new PackageSpec("e2e_plain", "1.0"), PackageKind.Wheel),
        (new PackageSpec("e2e_plain", "1.0"), PackageKind.Sdist),
        (new PackageSpec("e2e_dep_lib", "1.0"), PackageKind.Wheel),
        (new PackageSpec("e2e_dep_app", "1.0") { Dependencies = ["e2e-dep-lib>=1.0"] }, PackageKind.Wheel),
        (new PackageSpec("e2e_versions", "1.0"), PackageKind.Wheel),
        (new PackageSpec("e2e_versions", "1.1"), PackageKind.Wheel),
        (new PackageSpec("e2e_versions", "1.2.dev1234"), PackageKind.Wheel));
}

/// <summary>pip installs from Clutch by <c>--index-url</c>, the way a developer or a build does.</summary>
public sealed class PipInstallTests(PipIndexServer server) : IClassFixture<PipIndexServer>
{
    [RequiresPythonFact("3.8")]
    public Task Pip_on_Python_3_8_installs_by_index_url() => InstallsPlainPackage("3.8");

    [RequiresPythonFact("3.11")]
    public Task Pip_on_Python_3_11_installs_by_index_url() => InstallsPlainPackage("3.11");

    [RequiresPythonFact("3.13")]
    public Task Pip_on_Python_3_13_installs_by_index_url() => InstallsPlainPackage("3.13");

    [RequiresPythonFact("3.11")]
    public async Task Dependency_on_another_local_package_resolves()
    {
        using var target = new TempDirectory("target");

        var result = await PythonClient.For("3.11").PipInstallAsync(server.SimpleUrl, target.Path, "e2e-dep-app");

        InstallAssert.Installed(target.Path, "e2e-dep-app", "1.0", result);
        InstallAssert.Installed(target.Path, "e2e-dep-lib", "1.0", result);
    }

    [RequiresPythonFact("3.11")]
    public async Task Plain_install_picks_the_newest_release_not_the_dev_build()
    {
        using var target = new TempDirectory("target");

        var result = await PythonClient.For("3.11").PipInstallAsync(server.SimpleUrl, target.Path, "e2e-versions");

        InstallAssert.Installed(target.Path, "e2e-versions", "1.1", result);
    }

    [RequiresPythonFact("3.11")]
    public async Task Pre_picks_the_dev_build()
    {
        using var target = new TempDirectory("target");

        var result = await PythonClient.For("3.11").PipInstallAsync(server.SimpleUrl, target.Path, "--pre", "e2e-versions");

        InstallAssert.Installed(target.Path, "e2e-versions", "1.2.dev1234", result);
    }

    [RequiresPythonFact("3.11")]
    public async Task Non_normalized_project_name_installs()
    {
        using var target = new TempDirectory("target");

        var result = await PythonClient.For("3.11").PipInstallAsync(server.SimpleUrl, target.Path, "E2E_Plain");

        InstallAssert.Installed(target.Path, "e2e-plain", "1.0", result);
    }

    private async Task InstallsPlainPackage(string python)
    {
        using var target = new TempDirectory("target");
        var pip = PythonClient.For(python);

        var result = await pip.PipInstallAsync(server.SimpleUrl, target.Path, "--only-binary", ":all:", "e2e-plain");

        InstallAssert.Installed(target.Path, "e2e-plain", "1.0", result);
        Assert.Equal("1.0", await pip.ImportedVersionAsync(target.Path, "e2e_plain"));
    }
}
