using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

public sealed class ManageCliServer : ClutchServer
{
    protected override Task SeedAsync(string packagesDir) => SeedPackagesAsync(
        packagesDir,
        (new PackageSpec("e2e_cli", "1.0"), PackageKind.Wheel),
        (new PackageSpec("e2e_cli", "1.1"), PackageKind.Wheel),
        (new PackageSpec("e2e_cli", "1.2.dev1"), PackageKind.Wheel),
        (new PackageSpec("e2e_cli", "1.2.dev2"), PackageKind.Wheel),
        (new PackageSpec("e2e_cli", "1.2.dev3"), PackageKind.Wheel));
}

/// <summary>
/// <c>clutch yank|delete|gc</c> work on the folder and catalog directly; they run here while the
/// server is stopped, since a running server does not yet see catalog changes made by another process.
/// </summary>
public sealed class ManageCliTests(ManageCliServer server) : IClassFixture<ManageCliServer>
{
    [RequiresPythonFact("3.11")]
    public async Task Cli_yank_delete_and_gc_change_what_pip_sees_after_a_restart()
    {
        await server.StopAsync();
        string[] root = ["--root", server.PackagesDir];

        (await server.RunCliAsync(["yank", "e2e_cli", "1.1", "--reason", "cli says no", .. root])).AssertSuccess();
        var unconfirmed = await server.RunCliAsync(["delete", "e2e_cli", "e2e_cli-1.0-py3-none-any.whl", .. root], stdin: "");
        Assert.Equal(2, unconfirmed.ExitCode);
        Assert.Contains("without --yes", unconfirmed.StdErr);
        (await server.RunCliAsync(["delete", "e2e_cli", "e2e_cli-1.0-py3-none-any.whl", "--yes", .. root])).AssertSuccess();
        var dryRun = (await server.RunCliAsync(["gc", "--keep-dev", "1", "--dry-run", .. root])).AssertSuccess();
        Assert.Contains("2 file(s) would be deleted.", dryRun.StdOut);
        (await server.RunCliAsync(["gc", "--keep-dev", "1", .. root])).AssertSuccess();
        await server.StartAsync();

        Assert.Equal(["e2e_cli-1.1-py3-none-any.whl", "e2e_cli-1.2.dev3-py3-none-any.whl"], (await server.ListFilesAsync("e2e-cli")).Order(StringComparer.Ordinal));
        Assert.Equal(["e2e_cli-1.1-py3-none-any.whl", "e2e_cli-1.2.dev3-py3-none-any.whl"], Directory.GetFiles(server.PackagesDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var page = await server.GetProjectJsonAsync("e2e-cli");
        var yanked = page!.RootElement.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("filename").GetString() == "e2e_cli-1.1-py3-none-any.whl");
        Assert.Equal("cli says no", yanked.GetProperty("yanked").GetString());
        using var target = new TempDirectory("target");
        var plain = await PythonClient.For("3.11").PipInstallAsync(server.SimpleUrl, target.Path, "e2e-cli");
        plain.AssertFailure(); // 1.0 is deleted and 1.1 yanked: nothing a plain install may pick
        (await server.RunCliAsync(["release-filename", "e2e_cli-1.0-py3-none-any.whl", .. root])).AssertSuccess();
    }
}
