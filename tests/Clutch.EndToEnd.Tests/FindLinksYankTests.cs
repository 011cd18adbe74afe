using System.Net.Http.Headers;
using System.Text;
using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

/// <summary>
/// Seeds two releases of a wheel (the newer one yanked once the server runs), two eggs the same way,
/// and a wheel whose newer release requires Python 3.12.
/// </summary>
public sealed class FindLinksYankServer : ClutchServer
{
    private readonly Lazy<Task> yanked;

    public FindLinksYankServer() => yanked = new Lazy<Task>(YankAsync);

    /// <summary>Yanks 1.1 of <c>e2e_flyank</c> and <c>e2eeggyank</c> through the management API, once.</summary>
    public Task EnsureYankedAsync() => yanked.Value;

    protected override Task SeedAsync(string packagesDir) => SeedPackagesAsync(
        packagesDir,
        (new PackageSpec("e2e_flyank", "1.0"), PackageKind.Wheel),
        (new PackageSpec("e2e_flyank", "1.1"), PackageKind.Wheel),
        (new PackageSpec("e2eeggyank", "1.0"), PackageKind.Egg),
        (new PackageSpec("e2eeggyank", "1.1"), PackageKind.Egg),
        (new PackageSpec("e2e_flmodern", "1.0"), PackageKind.Wheel),
        (new PackageSpec("e2e_flmodern", "2.0") { RequiresPython = ">=3.12" }, PackageKind.Wheel));

    private async Task YankAsync()
    {
        const string password = "yank-admin-password";
        (await RunCliAsync(["user", "add", "yanker", "--admin", "--password-stdin", "--root", PackagesDir], password + "\n")).AssertSuccess();
        foreach (var project in new[] { "e2e-flyank", "e2eeggyank" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{BaseUrl}/api/projects/{project}/releases/1.1/yank")
            {
                Content = new StringContent("{\"reason\": \"broken <build> & more\"}", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("yanker:" + password)));
            using var response = await HttpClient.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, $"yank {project} 1.1 → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}

/// <summary>
/// <c>pip install --no-index -f /links/</c> follows PEP 592 and Requires-Python as with an index;
/// easy_install reads neither attribute (what the README tells its users).
/// </summary>
public sealed class FindLinksYankTests(FindLinksYankServer server) : IClassFixture<FindLinksYankServer>
{
    [RequiresPythonFact("3.11")]
    public async Task Pip_find_links_skips_a_yanked_release()
    {
        await server.EnsureYankedAsync();
        using var target = new TempDirectory("target");

        var result = await PythonClient.For("3.11").PipInstallFromLinksAsync(server.LinksUrl, target.Path, "e2e-flyank");

        InstallAssert.Installed(target.Path, "e2e-flyank", "1.0", result);
    }

    [RequiresPythonFact("3.11")]
    public async Task Pip_find_links_installs_a_yanked_release_pinned_exactly_and_shows_the_reason()
    {
        await server.EnsureYankedAsync();
        using var target = new TempDirectory("target");

        var result = await PythonClient.For("3.11").PipInstallFromLinksAsync(server.LinksUrl, target.Path, "e2e-flyank==1.1");

        InstallAssert.Installed(target.Path, "e2e-flyank", "1.1", result);
        Assert.Contains("broken <build> & more", result.StdOut + result.StdErr);
    }

    [RequiresPythonFact("3.8")]
    public async Task Pip_find_links_on_Python_3_8_never_chooses_a_release_requiring_3_12()
    {
        using var target = new TempDirectory("target");

        var result = await PythonClient.For("3.8").PipInstallFromLinksAsync(server.LinksUrl, target.Path, "e2e-flmodern");

        InstallAssert.Installed(target.Path, "e2e-flmodern", "1.0", result);
        // Chosen from the page, not found out after downloading: pip never fetches the 2.0 wheel.
        Assert.DoesNotContain("e2e_flmodern-2.0", result.StdOut + result.StdErr, StringComparison.OrdinalIgnoreCase);
    }

    [RequiresPythonFact("2.7")]
    public async Task Easy_install_ignores_the_yank_and_takes_the_newest_egg()
    {
        await server.EnsureYankedAsync();
        using var target = new TempDirectory("eggs");

        var result = await PythonClient.For("2.7").EasyInstallAsync(server.LinksUrl, server.SimpleUrl, target.Path, "e2eeggyank");

        // What the README says: easy_install predates PEP 592 and installs the yanked 1.1.
        InstallAssert.Installed(target.Path, "e2eeggyank", "1.1", result);
    }
}
