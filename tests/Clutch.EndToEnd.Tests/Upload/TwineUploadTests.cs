using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests.Upload;

/// <summary>Debian's twine publishes to a real server; pip and easy_install install what it published.</summary>
public sealed class TwineUploadTests(ClutchServer server) : IClassFixture<ClutchServer>
{
    private const string Password = "twine-password-1";

    private async Task<string> UserAsync(string name)
    {
        if (!File.Exists(Path.Combine(server.PackagesDir, ".clutch", "users-" + name)))
        {
            await Accounts.AddUserAsync(server, name, Password);
            await File.WriteAllTextAsync(Path.Combine(server.PackagesDir, ".clutch", "users-" + name), "");
        }

        return name;
    }

    [RequiresPythonFact("3.11", "2.7", Tools = [Twine.Executable])]
    public async Task Twine_uploads_a_wheel_an_sdist_and_a_py27_egg_with_a_password_and_they_install_at_once()
    {
        var user = await UserAsync("publisher");
        var wheel = await PackageFactory.BuildAsync(new PackageSpec("up_wheel", "1.0"), PackageKind.Wheel);
        var sdist = await PackageFactory.BuildAsync(new PackageSpec("up_sdist", "1.0"), PackageKind.Sdist);
        var egg = await PackageFactory.BuildAsync(new PackageSpec("up_egg", "1.0"), PackageKind.Egg);

        (await Twine.UploadAsync(server.UploadUrl, user, Password, [wheel, sdist, egg])).AssertSuccess();

        using var target = new TempDirectory("installed");
        var pip = PythonClient.For("3.11");
        (await pip.PipInstallAsync(server.SimpleUrl, target.Path, "up_wheel==1.0")).AssertSuccess();
        Assert.Equal("1.0", PythonClient.InstalledIn(target.Path)["up-wheel"]);
        // Building an sdist offline needs the 'wheel' package, which pyenv's 3.11 lacks: check that pip
        // finds it on the index and that the listed bytes are the uploaded ones instead.
        var listed = await server.HttpClient.GetByteArrayAsync($"{server.BaseUrl}/files/up-sdist/{Path.GetFileName(sdist)}");
        Assert.Equal(await File.ReadAllBytesAsync(sdist), listed);
        Assert.Contains(Path.GetFileName(sdist), await server.ListFilesAsync("up-sdist"));
        using var eggs = new TempDirectory("eggs");
        (await PythonClient.For("2.7").EasyInstallAsync(server.LinksUrl, server.SimpleUrl, eggs.Path, "up_egg==1.0")).AssertSuccess();
        Assert.Equal("1.0", PythonClient.InstalledIn(eggs.Path)["up-egg"]);
    }

    [RequiresPythonFact("3.11", Tools = [Twine.Executable])]
    public async Task Twine_uploads_with_a_token_and_pip_installs_it()
    {
        var token = await Accounts.CreateTokenAsync(server, await UserAsync("ci"));
        var wheel = await PackageFactory.WheelAsync("up_token", "1.0");

        (await Twine.UploadAsync(server.UploadUrl, "__token__", token, [wheel])).AssertSuccess();

        using var target = new TempDirectory("installed");
        (await PythonClient.For("3.11").PipInstallAsync(server.SimpleUrl, target.Path, "up_token")).AssertSuccess();
        Assert.Equal("1.0", PythonClient.InstalledIn(target.Path)["up-token"]);
    }

    [RequiresPythonFact("3.11", Tools = [Twine.Executable])]
    public async Task Wrong_password_is_refused_and_nothing_is_stored()
    {
        await UserAsync("publisher");
        var wheel = await PackageFactory.WheelAsync("up_wrongpw", "1.0");

        var result = await Twine.UploadAsync(server.UploadUrl, "publisher", "not-the-password", [wheel]);

        result.AssertFailure();
        Assert.Contains("401", result.StdOut + result.StdErr);
        Assert.Empty(await server.ListFilesAsync("up-wrongpw"));
        Assert.False(Directory.Exists(Path.Combine(server.PackagesDir, "up-wrongpw")));
    }

    [RequiresPythonFact("3.11", Tools = [Twine.Executable])]
    public async Task Token_scoped_to_another_project_is_403()
    {
        var token = await Accounts.CreateTokenAsync(server, await UserAsync("ci"), project: "some-other-project");
        var wheel = await PackageFactory.WheelAsync("up_scoped", "1.0");

        var result = await Twine.UploadAsync(server.UploadUrl, "__token__", token, [wheel]);

        result.AssertFailure();
        Assert.Contains("403", result.StdOut + result.StdErr);
        Assert.Empty(await server.ListFilesAsync("up-scoped"));
    }

    [RequiresPythonFact("3.11", Tools = [Twine.Executable])]
    public async Task Identical_reupload_is_ok_different_bytes_conflict_and_skip_existing_exits_0()
    {
        var user = await UserAsync("publisher");
        var first = await PackageFactory.WheelAsync("up_immutable", "1.0");
        (await Twine.UploadAsync(server.UploadUrl, user, Password, [first])).AssertSuccess();
        var stored = PackageFiles.Sha256(Path.Combine(server.PackagesDir, "up-immutable", Path.GetFileName(first)));

        (await Twine.UploadAsync(server.UploadUrl, user, Password, [first])).AssertSuccess();

        using var other = new TempDirectory("other");
        var changed = Path.Combine(other.Path, Path.GetFileName(first));
        await RebuildWithExtraMemberAsync(first, changed);
        var conflict = await Twine.UploadAsync(server.UploadUrl, user, Password, [changed]);
        conflict.AssertFailure();
        Assert.Contains("409", conflict.StdOut + conflict.StdErr);
        (await Twine.UploadAsync(server.UploadUrl, user, Password, [changed], "--skip-existing")).AssertSuccess();
        Assert.Equal(stored, PackageFiles.Sha256(Path.Combine(server.PackagesDir, "up-immutable", Path.GetFileName(first))));
    }

    /// <summary>The same wheel with one more member: a valid wheel with other bytes.</summary>
    private static async Task RebuildWithExtraMemberAsync(string source, string destination)
    {
        File.Copy(source, destination);
        using var zip = System.IO.Compression.ZipFile.Open(destination, System.IO.Compression.ZipArchiveMode.Update);
        await using var member = zip.CreateEntry("up_immutable_extra.txt").Open();
        await member.WriteAsync("other bytes"u8.ToArray());
    }
}
