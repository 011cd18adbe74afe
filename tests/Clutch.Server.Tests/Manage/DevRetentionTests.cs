using Clutch.Manage;
using Clutch.Packaging;
using Clutch.Server.Tests.Harness;
using Clutch.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Clutch.Server.Tests.Manage;

public sealed class DevRetentionTests
{
    private static CatalogFile File(string version, string suffix = "-py3-none-any.whl") => new()
    {
        Path = $"demo/demo-{version}{suffix}",
        Filename = $"demo-{version}{suffix}",
        Project = ProjectName.Normalize("demo"),
        Version = version,
        Type = DistributionType.Wheel,
        Sha256 = version,
        Md5 = "",
        Blake2b256 = "",
        Size = 1,
        UploadTime = DateTimeOffset.UnixEpoch,
    };

    [Theory]
    [InlineData("1.0 1.1.dev1 1.1.dev2 1.1.dev3 1.1.dev4 1.1.dev5", 3, "1.1.dev1 1.1.dev2")]
    [InlineData("1.0.dev1 1.0a1 1.0b1 1.0rc1 1.0 1.0.post1 2.0.dev1", 2, "1.0.dev1 1.0a1 1.0b1")]
    [InlineData("1.1.dev10 1.1.dev9 1.1.dev2", 2, "1.1.dev2")]
    [InlineData("1.0.dev1 1.0.dev1+local.1 1.0.dev2", 1, "1.0.dev1 1.0.dev1+local.1")]
    [InlineData("1.0 2.0 3.0 dev-snapshot", 0, "")]
    [InlineData("1.0.dev1 2.0.dev1", 0, "1.0.dev1 2.0.dev1")]
    [InlineData("1.0.dev1 2.0.dev1", 5, "")]
    public void Only_the_newest_N_pre_and_dev_versions_are_kept_and_releases_never_expire(string versions, int keep, string expired)
    {
        var files = versions.Split(' ').Select(v => File(v)).ToList();

        var result = DevRetention.Expired(files, keep);

        Assert.Equal(expired.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(), result.Select(f => f.Version).Order());
    }

    [Fact]
    public void Every_file_of_an_expired_version_expires_with_it()
    {
        List<CatalogFile> files = [File("1.0.dev1"), File("1.0.dev1", ".tar.gz"), File("1.0.dev2")];

        var result = DevRetention.Expired(files, 1);

        Assert.Equal(["demo-1.0.dev1-py3-none-any.whl", "demo-1.0.dev1.tar.gz"], result.Select(f => f.Filename).Order());
    }

    [Fact]
    public async Task Keep_dev_3_after_5_dev_uploads_keeps_the_newest_3_and_every_release()
    {
        await using var server = await InProcessServer.StartAsync(configure: o => o.KeepDev = 3);
        await server.AddUserAsync("alice");
        foreach (var version in new[] { "1.0", "1.1.dev1", "1.1.dev2", "1.1.dev3", "1.1.dev4", "0.9", "1.1.dev5" })
        {
            (await server.UploadWheelAsync("ci-built", version)).EnsureSuccessStatusCode();
        }

        Assert.True(await server.WaitForPageAsync("/simple/ci-built/", page => !page.Contains("1.1.dev2-"), TimeSpan.FromSeconds(15)));

        string[] expected = ["ci-built/ci_built-0.9-py3-none-any.whl", "ci-built/ci_built-1.0-py3-none-any.whl", "ci-built/ci_built-1.1.dev3-py3-none-any.whl",
            "ci-built/ci_built-1.1.dev4-py3-none-any.whl", "ci-built/ci_built-1.1.dev5-py3-none-any.whl"];
        Assert.Equal(expected, await server.PublicFilesSettledAsync(expected, TimeSpan.FromSeconds(5)));
        var tombstone = await server.Services.GetRequiredService<IDeletedFiles>().FindAsync("ci_built-1.1.dev1-py3-none-any.whl", CancellationToken.None);
        Assert.Equal(ReleaseManager.RetentionActor, tombstone!.Reason);
    }

    [FolderFact]
    public async Task Keep_dev_also_prunes_files_dropped_into_the_folder()
    {
        await using var server = await InProcessServer.StartAsync(configure: o => o.KeepDev = 1);
        var dir = Path.Combine(server.Root, "dropped");
        Directory.CreateDirectory(dir);
        foreach (var version in new[] { "2.0", "2.1.dev1", "2.1.dev2" })
        {
            TestDistributions.Wheel(dir, "dropped", version);
        }

        Assert.True(await server.WaitForPageAsync("/simple/dropped/", page => page.Contains("2.1.dev2") && !page.Contains("2.1.dev1"), TimeSpan.FromSeconds(20)));

        string[] expected = ["dropped/dropped-2.0-py3-none-any.whl", "dropped/dropped-2.1.dev2-py3-none-any.whl"];
        Assert.Equal(expected, await server.PublicFilesSettledAsync(expected, TimeSpan.FromSeconds(5)));
    }
}
