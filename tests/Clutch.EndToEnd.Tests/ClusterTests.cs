using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Clutch.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace Clutch.EndToEnd.Tests;

/// <summary>
/// Two nodes on two ports sharing PostgreSQL and S3 (issue 17): what one node writes, the other
/// serves; the catalog alone decides which of racing uploads wins; killed nodes lose nothing.
/// </summary>
[Collection("cluster")]
public sealed class ClusterTests(Cluster cluster, ITestOutputHelper output) : IClassFixture<Cluster>
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(1);

    [ClusterFact]
    public async Task Twine_uploads_to_A_while_pip_installs_from_B()
    {
        var first = await PackageFactory.BuildAsync(new PackageSpec("e2e_cluster_pip", "1.0"));
        var second = await PackageFactory.BuildAsync(new PackageSpec("e2e_cluster_pip", "1.1"));
        (await Twine.UploadAsync(cluster.A.UploadUrl, Cluster.User, Cluster.Password, [first])).AssertSuccess();
        Assert.True(await cluster.B.WaitUntilAsync("e2e-cluster-pip", Path.GetFileName(first), listed: true, Fresh), "B does not list what A stored:\n" + cluster.B.Output);

        var pip = PythonClient.For("3.11");
        using var during = new TempDirectory("target");
        var upload = Twine.UploadAsync(cluster.A.UploadUrl, Cluster.User, Cluster.Password, [second]);
        var install = pip.PipInstallAsync(cluster.B.SimpleUrl, during.Path, "e2e-cluster-pip");
        (await upload).AssertSuccess();
        var installed = await install;
        Assert.True(installed.ExitCode == 0, "pip install from B while A took an upload failed:\n" + installed);

        var clock = Stopwatch.StartNew();
        Assert.True(await cluster.B.WaitUntilAsync("e2e-cluster-pip", Path.GetFileName(second), listed: true, Fresh), "B does not list 1.1 within 1 s:\n" + cluster.B.Output);
        output.WriteLine($"1.1 uploaded to A was listed on B {clock.ElapsedMilliseconds} ms after twine finished");
        using var after = new TempDirectory("target");
        InstallAssert.Installed(after.Path, "e2e-cluster-pip", "1.1", await pip.PipInstallAsync(cluster.B.SimpleUrl, after.Path, "e2e-cluster-pip"));
    }

    [ClusterFact]
    public async Task A_yank_on_B_is_honoured_on_A_within_a_second()
    {
        var files = await Task.WhenAll(
            PackageFactory.BuildAsync(new PackageSpec("e2e_cluster_yank", "1.0")), PackageFactory.BuildAsync(new PackageSpec("e2e_cluster_yank", "1.1")));
        (await Twine.UploadAsync(cluster.B.UploadUrl, Cluster.User, Cluster.Password, files)).AssertSuccess();
        Assert.True(await cluster.A.WaitUntilAsync("e2e-cluster-yank", Path.GetFileName(files[1]), listed: true, Fresh));

        using (var request = new HttpRequestMessage(HttpMethod.Post, cluster.B.BaseUrl + "/api/projects/e2e-cluster-yank/releases/1.1/yank"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Cluster.User}:{Cluster.Password}")));
            using var response = await cluster.B.HttpClient.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"yank on B → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        var clock = Stopwatch.StartNew();
        var yanked = false;
        while (!yanked && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            using var page = await cluster.A.GetProjectJsonAsync("e2e-cluster-yank");
            yanked = page!.RootElement.GetProperty("files").EnumerateArray()
                .Any(f => f.GetProperty("filename").GetString() == Path.GetFileName(files[1]) && f.GetProperty("yanked").ValueKind != JsonValueKind.False);
            if (!yanked)
            {
                await Task.Delay(20);
            }
        }

        output.WriteLine($"yank on B seen on A after {clock.ElapsedMilliseconds} ms");
        Assert.True(yanked, "A never showed the yank made on B");
        Assert.True(clock.Elapsed < Fresh, $"A showed the yank after {clock.ElapsedMilliseconds} ms (limit 1000 ms)");
        using var target = new TempDirectory("target");
        InstallAssert.Installed(target.Path, "e2e-cluster-yank", "1.0", await PythonClient.For("3.11").PipInstallAsync(cluster.A.SimpleUrl, target.Path, "e2e-cluster-yank"));
    }

    [ClusterFact]
    public async Task Eight_racing_uploads_of_one_filename_across_both_nodes_have_one_winner()
    {
        // Eight wheels of one filename with different bytes: only one may ever be stored and listed.
        var wheels = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => PackageFactory.BuildAsync(new PackageSpec("e2e_cluster_race", "1.0") { PaddingBytes = 1000 + i })));
        var copies = wheels.Select((w, i) =>
        {
            var dir = Directory.CreateDirectory(Path.Combine(cluster.A.ScratchDir, "race" + i)).FullName;
            var copy = Path.Combine(dir, Path.GetFileName(w));
            File.Copy(w, copy, overwrite: true);
            return copy;
        }).ToArray();
        Assert.Single(copies.Select(Path.GetFileName).Distinct());

        var results = await Task.WhenAll(copies.Select((file, i) =>
            Twine.UploadAsync((i % 2 == 0 ? cluster.A : cluster.B).UploadUrl, Cluster.User, Cluster.Password, [file])));

        var winners = Enumerable.Range(0, 8).Where(i => results[i].ExitCode == 0).ToList();
        Assert.True(winners.Count == 1, $"{winners.Count} uploads succeeded:\n" + string.Join("\n", results.Select(r => r.ToString())));
        var winnerSha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(copies[winners[0]])));
        var filename = Path.GetFileName(copies[0]);
        foreach (var node in new[] { cluster.A, cluster.B })
        {
            Assert.True(await node.WaitUntilAsync("e2e-cluster-race", filename, listed: true, Fresh));
            using var page = await node.GetProjectJsonAsync("e2e-cluster-race");
            var listed = Assert.Single(page!.RootElement.GetProperty("files").EnumerateArray());
            Assert.Equal(winnerSha, listed.GetProperty("hashes").GetProperty("sha256").GetString());
            var bytes = await node.HttpClient.GetByteArrayAsync(new Uri(new Uri(node.SimpleUrl + "e2e-cluster-race/"), listed.GetProperty("url").GetString()));
            Assert.Equal(winnerSha, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }
    }

    [ClusterFact]
    public async Task Both_nodes_killed_and_restarted_lose_nothing()
    {
        var files = await Task.WhenAll(
            PackageFactory.BuildAsync(new PackageSpec("e2e_cluster_kill", "1.0")),
            PackageFactory.BuildAsync(new PackageSpec("e2e_cluster_kill", "2.0"), PackageKind.Sdist),
            PackageFactory.BuildAsync(new PackageSpec("e2e_cluster_kill_other", "0.1")));
        (await Twine.UploadAsync(cluster.A.UploadUrl, Cluster.User, Cluster.Password, files[..2])).AssertSuccess();
        (await Twine.UploadAsync(cluster.B.UploadUrl, Cluster.User, Cluster.Password, files[2..])).AssertSuccess();

        await cluster.A.StopAsync(); // SIGKILL
        await cluster.B.StopAsync();
        await cluster.A.StartAsync();
        await cluster.B.StartAsync();

        foreach (var node in new[] { cluster.A, cluster.B })
        {
            foreach (var file in files)
            {
                var project = PackageFiles.ProjectOf(Path.GetFileName(file));
                using var page = await node.GetProjectJsonAsync(project);
                Assert.NotNull(page);
                var listed = Assert.Single(page.RootElement.GetProperty("files").EnumerateArray(), f => f.GetProperty("filename").GetString() == Path.GetFileName(file));
                var bytes = await node.HttpClient.GetByteArrayAsync(new Uri(new Uri(node.SimpleUrl + project + "/"), listed.GetProperty("url").GetString()));
                Assert.Equal(await File.ReadAllBytesAsync(file), bytes);
            }
        }
    }
}
