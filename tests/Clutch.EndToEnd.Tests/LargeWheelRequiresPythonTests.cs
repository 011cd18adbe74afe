using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

/// <summary>Two real wheels of a few MB each, copied into the folder (as pip's and setuptools' wheels were).</summary>
public sealed class LargeWheelServer : ClutchServer
{
    public const int Padding = 3 * 1024 * 1024;

    protected override Task SeedAsync(string packagesDir) => SeedPackagesAsync(
        packagesDir,
        (new PackageSpec("e2e_large", "1.0") { PaddingBytes = Padding }, PackageKind.Wheel),
        (new PackageSpec("e2e_large", "2.0") { RequiresPython = ">=3.12", PaddingBytes = Padding }, PackageKind.Wheel));
}

/// <summary>
/// A wheel over 1 MiB dropped into the folder carries <c>data-requires-python</c> and its PEP 658
/// metadata like a small one, so an old interpreter's pip passes over a release it cannot run.
/// </summary>
public sealed class LargeWheelRequiresPythonTests(LargeWheelServer server) : IClassFixture<LargeWheelServer>
{
    [RequiresPythonFact("3.8")]
    public async Task Python_3_8_never_chooses_a_dropped_multi_megabyte_release_requiring_3_12()
    {
        var dropped = Directory.GetFiles(server.PackagesDir, "e2e_large-*.whl");
        Assert.Equal(2, dropped.Length);
        Assert.All(dropped, f => Assert.True(new FileInfo(f).Length > 2 * 1024 * 1024, $"{f} is under 2 MiB"));
        using var target = new TempDirectory("target");

        var result = await PythonClient.For("3.8").PipInstallAsync(server.SimpleUrl, target.Path, "e2e-large");

        InstallAssert.Installed(target.Path, "e2e-large", "1.0", result);
        Assert.DoesNotContain("e2e_large-2.0", result.StdOut + result.StdErr, StringComparison.OrdinalIgnoreCase);
        var page = await server.HttpClient.GetStringAsync(server.SimpleUrl + "e2e-large/");
        Assert.Contains("data-requires-python=\"&gt;=3.12\"", page, StringComparison.Ordinal);
        Assert.Equal(2, page.Split("data-core-metadata=").Length - 1);
    }
}
