using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

/// <summary>A server that keeps the newest 3 dev builds per project, with one uploading user.</summary>
public sealed class KeepDevServer() : ClutchServer(["--keep-dev", "3"])
{
    public const string User = "alice";
    public const string Password = "e2e manage password";

    public async Task UploadAsync(params PackageSpec[] specs)
    {
        var files = await Task.WhenAll(specs.Select(s => PackageFactory.BuildAsync(s)));
        (await Twine.UploadAsync(UploadUrl, User, Password, files)).AssertSuccess();
    }

    /// <summary>A management API request as the uploading user; fails the test unless it answers 200.</summary>
    public async Task ManageAsync(HttpMethod method, string path, string? reason = null)
    {
        using var request = new HttpRequestMessage(method, BaseUrl + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        if (reason is not null)
        {
            request.Content = new StringContent($"{{\"reason\": \"{reason}\"}}", Encoding.UTF8, "application/json");
        }

        using var response = await HttpClient.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private bool userAdded;

    /// <summary>Adds the uploading user with <c>clutch user add</c> the first time a test needs it.</summary>
    public async Task EnsureUserAsync()
    {
        if (!userAdded)
        {
            await AddUserAsync(User, Password);
            userAdded = true;
        }
    }
}

/// <summary>Yank, delete and dev-build retention as pip and twine see them (issue 3).</summary>
public sealed class ManageTests(KeepDevServer server) : IClassFixture<KeepDevServer>
{
    [RequiresPythonFact("3.11", Tools = [Twine.Executable])]
    public async Task Yanked_newest_version_is_skipped_by_plain_pip_install_but_installs_when_pinned()
    {
        await server.EnsureUserAsync();
        await server.UploadAsync(new PackageSpec("e2e_yank", "1.0"), new PackageSpec("e2e_yank", "1.1"));

        await server.ManageAsync(HttpMethod.Post, "/api/projects/e2e-yank/releases/1.1/yank", "broken build");

        var pip = PythonClient.For("3.11");
        using (var plain = new TempDirectory("target"))
        {
            InstallAssert.Installed(plain.Path, "e2e-yank", "1.0", await pip.PipInstallAsync(server.SimpleUrl, plain.Path, "e2e-yank"));
        }

        using var pinned = new TempDirectory("target");
        var result = await pip.PipInstallAsync(server.SimpleUrl, pinned.Path, "e2e-yank==1.1");
        InstallAssert.Installed(pinned.Path, "e2e-yank", "1.1", result);
        Assert.Contains("broken build", result.StdErr + result.StdOut);
    }

    [RequiresPythonFact("3.11", Tools = [Twine.Executable])]
    public async Task Deleted_version_cannot_be_installed_and_its_file_is_404()
    {
        await server.EnsureUserAsync();
        await server.UploadAsync(new PackageSpec("e2e_del", "1.0"), new PackageSpec("e2e_del", "2.0"));

        await server.ManageAsync(HttpMethod.Delete, "/api/projects/e2e-del/releases/2.0");

        var pip = PythonClient.For("3.11");
        using var target = new TempDirectory("target");
        var pinned = await pip.PipInstallAsync(server.SimpleUrl, target.Path, "e2e-del==2.0");
        pinned.AssertFailure();
        InstallAssert.NotInstalled(target.Path, "e2e-del", pinned);
        InstallAssert.Installed(target.Path, "e2e-del", "1.0", await pip.PipInstallAsync(server.SimpleUrl, target.Path, "e2e-del"));
        using var download = await server.HttpClient.GetAsync(server.BaseUrl + "/files/e2e-del/e2e_del-2.0-py3-none-any.whl");
        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        Assert.False(File.Exists(Path.Combine(server.PackagesDir, "e2e-del", "e2e_del-2.0-py3-none-any.whl")));
    }

    [RequiresPythonFact("3.11", Tools = [Twine.Executable])]
    public async Task Twine_cannot_upload_a_deleted_filename_again()
    {
        await server.EnsureUserAsync();
        await server.UploadAsync(new PackageSpec("e2e_gone", "1.0"));
        await server.ManageAsync(HttpMethod.Delete, "/api/projects/e2e-gone/files/e2e_gone-1.0-py3-none-any.whl", "leaked a secret");

        var file = await PackageFactory.WheelAsync("e2e_gone", "1.0");
        var result = await Twine.UploadAsync(server.UploadUrl, KeepDevServer.User, KeepDevServer.Password, [file]);

        result.AssertFailure();
        // twine wraps long lines to the terminal width: compare with the line breaks folded away.
        var output = string.Join(' ', (result.StdErr + result.StdOut).Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        Assert.True(output.Contains("was deleted and cannot be reused", StringComparison.Ordinal), result.ToString());
    }

    [RequiresPythonFact("3.11", Tools = [Twine.Executable])]
    public async Task Keep_dev_3_after_5_dev_uploads_leaves_the_newest_3_and_every_release()
    {
        await server.EnsureUserAsync();
        await server.UploadAsync(
            new PackageSpec("e2e_keep", "1.0"), new PackageSpec("e2e_keep", "1.1.dev1"), new PackageSpec("e2e_keep", "1.1.dev2"),
            new PackageSpec("e2e_keep", "1.1.dev3"), new PackageSpec("e2e_keep", "1.1.dev4"), new PackageSpec("e2e_keep", "1.1.dev5"));

        Assert.True(
            await server.WaitUntilAsync("e2e-keep", "e2e_keep-1.1.dev2-py3-none-any.whl", listed: false, TimeSpan.FromSeconds(20)),
            "retention did not delete the old dev builds:\n" + server.Output);
        string[] expected = ["e2e_keep-1.0-py3-none-any.whl", "e2e_keep-1.1.dev3-py3-none-any.whl", "e2e_keep-1.1.dev4-py3-none-any.whl", "e2e_keep-1.1.dev5-py3-none-any.whl"];
        Assert.Equal(expected, (await server.ListFilesAsync("e2e-keep")).Order(StringComparer.Ordinal));
        Assert.Equal(expected, Directory.GetFiles(Path.Combine(server.PackagesDir, "e2e-keep")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var target = new TempDirectory("target");
        InstallAssert.Installed(target.Path, "e2e-keep", "1.1.dev5", await PythonClient.For("3.11").PipInstallAsync(server.SimpleUrl, target.Path, "--pre", "e2e-keep"));
    }
}
