using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Clutch.EndToEnd.Tests.Harness;
using Clutch.EndToEnd.Tests.Upload;
using Xunit.Abstractions;

namespace Clutch.EndToEnd.Tests;

/// <summary>
/// <c>clutch migrate</c> (issue 17): a folder + SQLite index copied to PostgreSQL + S3 serves the
/// same pages, files, users and tokens from a node on the new stores; a second run resumes what an
/// interrupted one left; the source is never changed.
/// </summary>
[Collection("cluster")]
public sealed class MigrateTests(ClutchServer source, ITestOutputHelper output) : IClassFixture<ClutchServer>
{
    private const string User = "migrator";
    private const string Password = "migrate-password-1";

    [ClusterFact]
    public async Task A_folder_index_migrated_to_postgresql_and_s3_serves_the_same_and_a_second_run_resumes()
    {
        await source.AddUserAsync(User, Password);
        var files = await Task.WhenAll(
            PackageFactory.BuildAsync(new PackageSpec("e2e_migrate", "1.0")),
            PackageFactory.BuildAsync(new PackageSpec("e2e_migrate", "1.1")),
            PackageFactory.BuildAsync(new PackageSpec("e2e_migrate", "2.0"), PackageKind.Sdist),
            PackageFactory.BuildAsync(new PackageSpec("e2e_migrate_other", "0.1")));
        (await Twine.UploadAsync(source.UploadUrl, User, Password, files)).AssertSuccess();
        await ManageAsync(source, HttpMethod.Post, "/api/projects/e2e-migrate/releases/1.1/yank", "{\"reason\": \"broken\"}");
        var token = await Accounts.CreateTokenAsync(source, User);
        var before = Snapshot(source.PackagesDir);

        var catalog = await ClusterServices.CreateDatabaseAsync("clutch_migrate");
        var blobs = "s3://clutch-migrate-" + Guid.NewGuid().ToString("N")[..12] + "/packages";
        string[] target = ["--to-catalog", catalog, "--to-blobs", blobs, "--to-s3-endpoint", ClusterServices.S3!];
        var first = (await source.RunCliAsync(["migrate", "--root", source.PackagesDir, .. target])).AssertSuccess();
        output.WriteLine(first.StdOut + first.StdErr);
        Assert.Contains("Copied 4 file(s)", first.StdOut, StringComparison.Ordinal);
        Assert.Contains("0 already there", first.StdOut, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(source.PackagesDir)); // the source folder is only read

        // An interruption after a file's bytes were copied but before its row was written: the next run finishes it.
        (await ProcessRunner.RunAsync("psql", [catalog, "-v", "ON_ERROR_STOP=1", "-q", "-c", "DELETE FROM files WHERE filename LIKE 'e2e_migrate_other%'"])).AssertSuccess();
        var second = (await source.RunCliAsync(["migrate", "--root", source.PackagesDir, .. target])).AssertSuccess();
        output.WriteLine(second.StdOut + second.StdErr);
        Assert.Contains("Copied 1 file(s)", second.StdOut, StringComparison.Ordinal);
        Assert.Contains("3 already there", second.StdOut, StringComparison.Ordinal);

        await using var node = new ClusterNode(["--catalog", catalog, "--blobs", blobs, "--s3-endpoint", ClusterServices.S3!], []);
        await node.InitializeAsync();
        foreach (var project in new[] { "e2e-migrate", "e2e-migrate-other" })
        {
            Assert.Equal(await PageAsync(source, project), await PageAsync(node, project));
        }

        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            var bytes = await node.HttpClient.GetByteArrayAsync($"{node.BaseUrl}/files/{PackageFiles.ProjectOf(name)}/{name}");
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file))), Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }

        using var target2 = new TempDirectory("target");
        InstallAssert.Installed(target2.Path, "e2e-migrate", "1.0", await PythonClient.For("3.11").PipInstallAsync(node.SimpleUrl, target2.Path, "--only-binary", ":all:", "e2e-migrate"));
        var again = await PackageFactory.BuildAsync(new PackageSpec("e2e_migrate", "3.0"));
        (await Twine.UploadAsync(node.UploadUrl, "__token__", token, [again])).AssertSuccess(); // the token came along
        (await Twine.UploadAsync(node.UploadUrl, User, Password, [await PackageFactory.BuildAsync(new PackageSpec("e2e_migrate", "3.1"))])).AssertSuccess();
    }

    [ClusterFact]
    public async Task A_target_that_is_the_source_is_refused_in_one_line()
    {
        var result = await source.RunCliAsync(["migrate", "--root", source.PackagesDir, "--to-catalog", Path.Combine(source.PackagesDir, ".clutch", "catalog.db"), "--to-blobs", source.PackagesDir]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("the target is the source itself", result.StdErr, StringComparison.Ordinal);
    }

    /// <summary>Every file under the folder with its size and modification time.</summary>
    private static string Snapshot(string folder) =>
        string.Join('\n', Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/.clutch/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => $"{f} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f):O}"));

    /// <summary>A project's JSON page with the parts that name the server removed (files, hashes, yanks, versions).</summary>
    private static async Task<string> PageAsync(ClutchServer server, string project)
    {
        using var page = await server.GetProjectJsonAsync(project);
        Assert.NotNull(page);
        return string.Join('\n', page.RootElement.GetProperty("files").EnumerateArray()
            .Select(f => $"{f.GetProperty("filename")} {f.GetProperty("hashes").GetProperty("sha256")} {f.GetProperty("yanked")} {f.GetProperty("url")}"));
    }

    private static async Task ManageAsync(ClutchServer server, HttpMethod method, string path, string body)
    {
        using var request = new HttpRequestMessage(method, server.BaseUrl + path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        using var response = await server.HttpClient.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path} → {(int)response.StatusCode}");
    }
}
