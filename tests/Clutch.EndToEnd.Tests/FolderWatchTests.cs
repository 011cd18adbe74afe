using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

/// <summary>The folder is the storage: a file dropped in or removed by hand shows within a second.</summary>
[Collection(TimingCollection.Name)]
public sealed class FolderWatchTests(ClutchServer server) : IClassFixture<ClutchServer>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(1);

    [RequiresPythonFact("3.11")]
    public async Task Wheel_copied_into_the_folder_is_installable_within_a_second()
    {
        var wheel = await PackageFactory.WheelAsync("e2e_dropped", "1.0");
        var name = Path.GetFileName(wheel);

        File.Copy(wheel, Path.Combine(server.PackagesDir, name));

        Assert.True(
            await server.WaitUntilAsync("e2e-dropped", name, listed: true, Within),
            $"{name} not listed within {Within.TotalSeconds} s of the copy.\nServer output:\n{server.Output}");
        using var target = new TempDirectory("target");
        var result = await PythonClient.For("3.11").PipInstallAsync(server.SimpleUrl, target.Path, "e2e-dropped");
        InstallAssert.Installed(target.Path, "e2e-dropped", "1.0", result);
    }

    [RequiresPythonFact("3.11")]
    public async Task Wheel_deleted_from_the_folder_is_gone_within_a_second()
    {
        var wheel = await PackageFactory.WheelAsync("e2e_removed", "1.0");
        var name = Path.GetFileName(wheel);
        await server.AddFilesAsync([wheel]);

        File.Delete(Path.Combine(server.PackagesDir, name));

        Assert.True(
            await server.WaitUntilAsync("e2e-removed", name, listed: false, Within),
            $"{name} still listed {Within.TotalSeconds} s after the delete.\nServer output:\n{server.Output}");
        using var target = new TempDirectory("target");
        var result = await PythonClient.For("3.11").PipInstallAsync(server.SimpleUrl, target.Path, "e2e-removed");
        result.AssertFailure();
        InstallAssert.NotInstalled(target.Path, "e2e-removed", result);
    }
}
