using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

/// <summary>The harness itself works without a server: packages build offline and real clients install them from a folder.</summary>
public sealed class HarnessSelfCheckTests
{
    [RequiresPythonFact("3.11")]
    public async Task Factory_wheel_installs_with_pip_from_a_plain_folder()
    {
        var wheel = await PackageFactory.WheelAsync("selfcheck_wheel", "1.0");
        Assert.EndsWith("-1.0-py3-none-any.whl", wheel);
        using var target = new TempDirectory("target");

        var pip = PythonClient.For("3.11");
        (await pip.PipInstallFromLinksAsync(Path.GetDirectoryName(wheel)!, target.Path, "selfcheck_wheel")).AssertSuccess();

        Assert.Equal("1.0", PythonClient.InstalledIn(target.Path)["selfcheck-wheel"]);
        Assert.Equal("1.0", await pip.ImportedVersionAsync(target.Path, "selfcheck_wheel"));
    }

    [RequiresPythonFact("3.11")]
    public async Task Factory_sdist_carries_its_metadata()
    {
        var sdist = await PackageFactory.BuildAsync(
            new PackageSpec("selfcheck_sdist", "2.0") { RequiresPython = ">=3.8", Dependencies = ["selfcheck_wheel>=1.0"] },
            PackageKind.Sdist);

        Assert.EndsWith("-2.0.tar.gz", sdist);
        Assert.Equal("selfcheck-sdist", PackageFiles.ProjectOf(Path.GetFileName(sdist)));
    }

    [RequiresPythonFact("2.7")]
    public async Task Factory_egg_installs_with_easy_install_from_a_plain_folder()
    {
        var egg = await PackageFactory.BuildAsync(new PackageSpec("selfcheck_egg", "1.0"), PackageKind.Egg);
        Assert.EndsWith("-1.0-py2.7.egg", egg);
        using var target = new TempDirectory("eggs");

        var python = PythonClient.For("2.7");
        // The index URL is the closed proxy port: everything must come from the folder.
        (await python.EasyInstallAsync(Path.GetDirectoryName(egg)!, PythonClient.ClosedProxy + "/simple/", target.Path, "selfcheck_egg"))
            .AssertSuccess();

        Assert.Equal("1.0", PythonClient.InstalledIn(target.Path)["selfcheck-egg"]);
        Assert.Equal("1.0", await python.ImportedVersionAsync(target.Path, "selfcheck_egg"));
    }
}
