using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

/// <summary>
/// Runs with no memory for plain page bytes or file bytes, so every page these clients read (they do
/// not ask for gzip) is restored from its gzip bytes, the whole-index page is decompressed as it is
/// sent, and every download is read from the folder.
/// </summary>
public sealed class FindLinksServer() : ClutchServer(["--page-cache-mb", "0", "--file-cache-mb", "0"])
{
    protected override Task SeedAsync(string packagesDir) => SeedPackagesAsync(
        packagesDir,
        (new PackageSpec("e2e_linked", "1.0"), PackageKind.Wheel),
        (new PackageSpec("e2eegg", "1.0"), PackageKind.Egg));
}

/// <summary>The origin's find-links page: <c>pip -f</c> and <c>easy_install -f</c> install from it.</summary>
public sealed class FindLinksTests(FindLinksServer server) : IClassFixture<FindLinksServer>
{
    [RequiresPythonFact("3.11")]
    public async Task Pip_no_index_find_links_installs_from_the_links_page()
    {
        using var target = new TempDirectory("target");

        var result = await PythonClient.For("3.11").PipInstallFromLinksAsync(server.LinksUrl, target.Path, "e2e-linked");

        InstallAssert.Installed(target.Path, "e2e-linked", "1.0", result);
    }

    [RequiresPythonFact("2.7")]
    public async Task Easy_install_on_Python_2_7_installs_an_egg_from_the_links_page()
    {
        using var target = new TempDirectory("eggs");
        var python = PythonClient.For("2.7");

        var result = await python.EasyInstallAsync(server.LinksUrl, server.SimpleUrl, target.Path, "e2eegg");

        InstallAssert.Installed(target.Path, "e2eegg", "1.0", result);
        Assert.Equal("1.0", await python.ImportedVersionAsync(target.Path, "e2eegg"));
    }

    [RequiresPythonFact("2.7", Tools = ["git"])]
    public async Task Easy_install_follows_a_developer_link_to_a_local_git_repository()
    {
        var repo = Path.Combine(server.ScratchDir, "e2edevlink-repo");
        await GitRepository.CreateAsync(repo, new PackageSpec("e2edevlink", "0.9.dev0"));
        var link = $"git+file://{repo}#egg=e2edevlink-dev";
        await File.WriteAllTextAsync(Path.Combine(server.PackagesDir, "e2edevlink.links"), link + "\n");
        await WaitForLinksPageToContainAsync("e2edevlink-dev");
        using var target = new TempDirectory("eggs");
        var python = PythonClient.For("2.7");

        var result = await python.EasyInstallAsync(server.LinksUrl, server.SimpleUrl, target.Path, "e2edevlink==dev");

        InstallAssert.Installed(target.Path, "e2edevlink", "0.9.dev0", result);
        Assert.Equal("0.9.dev0", await python.ImportedVersionAsync(target.Path, "e2edevlink"));
    }

    [Theory]
    [InlineData("--page-cache-mb")]
    [InlineData("--file-cache-mb")]
    public async Task A_negative_cache_size_is_refused_with_a_clear_error(string option)
    {
        var result = await server.RunCliAsync(["serve", server.ScratchDir, "--port", "0", option, "-1"]);

        // A usage error, as System.CommandLine reports every invalid option: exit code 1, one line saying why.
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(option + " must be 0 or more", result.StdErr);
    }

    private async Task WaitForLinksPageToContainAsync(string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        var page = "";
        while (DateTime.UtcNow < deadline)
        {
            page = await server.HttpClient.GetStringAsync(server.LinksUrl);
            if (page.Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"/links/ never showed {text}:\n{page}\nServer output:\n{server.Output}");
    }
}
