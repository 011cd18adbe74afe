using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Clutch.Indexes;
using Clutch.Server.Tests.Harness;
using Microsoft.Extensions.DependencyInjection;

namespace Clutch.Server.Tests.Indexes;

public sealed class MirrorTests
{
    [Fact]
    public async Task A_mirror_of_another_Clutch_lists_and_keeps_its_files_the_guard_holds_and_copies_outlive_the_upstream()
    {
        var upstream = await InProcessServer.StartAsync();
        try
        {
            await upstream.AddUserAsync("alice");
            (await upstream.UploadWheelAsync("up-pkg", "1.0")).EnsureSuccessStatusCode();
            (await upstream.UploadWheelAsync("acme-utils", "99.0")).EnsureSuccessStatusCode();
            await using var server = await InProcessServer.StartAsync();
            await server.AddUserAsync("admin", admin: true);
            await server.AddUserAsync("alice");
            await server.CreateIndexAsync($$"""{"name": "pypi-mirror", "upstream": "{{upstream.BaseAddress}}simple/", "ttl": "0"}""");
            await server.CreateIndexAsync("""{"name": "team", "bases": ["pypi-mirror"]}""");
            (await server.UploadWheelToAsync("team", "acme-utils", "1.0")).EnsureSuccessStatusCode();

            const string Wheel = "up-pkg/up_pkg-1.0-py3-none-any.whl";
            var page = await server.Client.GetStringAsync("/pypi-mirror/simple/up-pkg/");
            var upstreamBytes = await upstream.Client.GetByteArrayAsync("/files/" + Wheel);
            Assert.Contains($"href=\"../../files/{Wheel}#sha256={Convert.ToHexStringLower(SHA256.HashData(upstreamBytes))}\"", page, StringComparison.Ordinal);
            Assert.Contains("data-core-metadata=\"sha256=", page, StringComparison.Ordinal);
            Assert.Contains($"href=\"../../../pypi-mirror/files/{Wheel}#sha256=", await server.Client.GetStringAsync("/team/simple/up-pkg/"), StringComparison.Ordinal);
            using (var json = new HttpRequestMessage(HttpMethod.Get, "/team/simple/up-pkg/"))
            {
                json.Headers.Accept.ParseAdd("application/vnd.pypi.simple.v1+json");
                var body = await IndexApi.JsonAsync((await server.Client.SendAsync(json)));
                var file = body.GetProperty("files")[0];
                Assert.Equal("../../../pypi-mirror/files/" + Wheel, file.GetProperty("url").GetString());
                Assert.Equal(upstreamBytes.Length, file.GetProperty("size").GetInt64());
                Assert.True(file.GetProperty("core-metadata").TryGetProperty("sha256", out _));
            }

            Assert.Equal(upstreamBytes, await server.Client.GetByteArrayAsync("/pypi-mirror/files/" + Wheel));
            var root = await server.Client.GetStringAsync("/pypi-mirror/simple/");
            Assert.Contains("up-pkg", root, StringComparison.Ordinal);
            Assert.Equal(await upstream.Client.GetStringAsync("/files/" + Wheel + ".metadata"), await server.Client.GetStringAsync("/pypi-mirror/files/" + Wheel + ".metadata"));

            // The guard: team's own acme-utils hides the upstream's 99.0.
            Assert.Equal(["acme_utils-1.0-py3-none-any.whl"], IndexApi.Filenames(await server.Client.GetStringAsync("/team/simple/acme-utils/")));

            await upstream.DisposeAsync();

            // TTL 0: every request revalidates; with the upstream gone the copy is served, stale.
            Assert.Equal(page, await server.Client.GetStringAsync("/pypi-mirror/simple/up-pkg/"));
            Assert.Equal(upstreamBytes, await server.Client.GetByteArrayAsync("/pypi-mirror/files/" + Wheel));
            Assert.Equal(upstreamBytes, await server.Client.GetByteArrayAsync("/pypi-mirror/files/" + Wheel));
            await Task.Delay(1100); // the upstream's project list is read again after the TTL (a second at least): stale now
            Assert.Equal(root, await server.Client.GetStringAsync("/pypi-mirror/simple/"));
            var clock = Stopwatch.StartNew();
            using var never = await server.Client.GetAsync("/pypi-mirror/simple/never-fetched/");
            Assert.Equal(HttpStatusCode.BadGateway, never.StatusCode);
            Assert.Contains("could not read its upstream", await never.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"502 after {clock.Elapsed}");
            Assert.Equal(HttpStatusCode.BadGateway, (await server.Client.GetAsync("/team/simple/never-fetched/")).StatusCode);
        }
        finally
        {
            await upstream.DisposeAsync();
        }
    }

    [Fact]
    public async Task Fifty_clients_asking_for_one_uncached_file_make_one_upstream_fetch_and_a_page_is_revalidated_by_its_etag()
    {
        await using var upstream = await CountingUpstream.StartAsync();
        var bytes = UploadHarness.WheelBytes("slow-pkg", "1.0");
        upstream.Add("slow-pkg", "slow_pkg-1.0-py3-none-any.whl", bytes);
        upstream.FileDelay = TimeSpan.FromMilliseconds(500);
        await using var server = await InProcessServer.StartAsync();
        await server.AddUserAsync("admin", admin: true);
        await server.CreateIndexAsync($$"""{"name": "mirror", "upstream": "{{upstream.SimpleUrl}}", "ttl": "0"}""");

        Assert.Contains("slow_pkg-1.0-py3-none-any.whl", await server.Client.GetStringAsync("/mirror/simple/slow-pkg/"), StringComparison.Ordinal);
        Assert.Contains("slow_pkg-1.0-py3-none-any.whl", await server.Client.GetStringAsync("/mirror/simple/slow-pkg/"), StringComparison.Ordinal);
        Assert.Equal(2, upstream.Requests("/simple/slow-pkg/"));
        Assert.Equal(1, upstream.NotModified("/simple/slow-pkg/"));

        var downloads = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => server.Client.GetByteArrayAsync("/mirror/files/slow-pkg/slow_pkg-1.0-py3-none-any.whl")));
        Assert.All(downloads, d => Assert.Equal(bytes, d));
        Assert.Equal(1, upstream.Requests("/files/slow_pkg-1.0-py3-none-any.whl"));
    }

    [Fact]
    public async Task Bytes_that_do_not_match_the_listed_hash_are_refused_and_not_kept()
    {
        await using var upstream = await CountingUpstream.StartAsync();
        upstream.Add("liar", "liar-1.0-py3-none-any.whl", UploadHarness.WheelBytes("liar", "1.0"));
        await using var server = await InProcessServer.StartAsync();
        await server.AddUserAsync("admin", admin: true);
        await server.CreateIndexAsync($$"""{"name": "mirror", "upstream": "{{upstream.SimpleUrl}}", "ttl": "1h"}""");
        Assert.Contains("liar-1.0-py3-none-any.whl", await server.Client.GetStringAsync("/mirror/simple/liar/"), StringComparison.Ordinal);

        upstream.Add("liar", "liar-1.0-py3-none-any.whl", UploadHarness.WheelBytes("liar", "1.0", payload: "swapped"));
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var refused = await server.Client.GetAsync("/mirror/files/liar/liar-1.0-py3-none-any.whl");
            Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
            Assert.Contains("sha256", await refused.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(2, upstream.Requests("/files/liar-1.0-py3-none-any.whl"));
        Assert.Empty(await server.Services.GetRequiredService<Clutch.Storage.Indexes.IIndexStore>().ListMirrorFilesAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Beyond_the_size_cap_the_least_recently_used_files_go_and_are_fetched_again_when_asked_for()
    {
        await using var upstream = await CountingUpstream.StartAsync();
        foreach (var name in (string[])["aaa", "bbb", "ccc"])
        {
            upstream.Add(name, $"{name}-1.0-py3-none-any.whl", UploadHarness.WheelBytes(name, "1.0"));
        }

        await using var server = await InProcessServer.StartAsync();
        await server.AddUserAsync("admin", admin: true);
        await server.CreateIndexAsync($$"""{"name": "mirror", "upstream": "{{upstream.SimpleUrl}}", "ttl": "1h"}""");
        long last = 0;
        foreach (var name in (string[])["aaa", "bbb", "ccc"])
        {
            await server.Client.GetStringAsync($"/mirror/simple/{name}/");
            last = (await server.Client.GetByteArrayAsync($"/mirror/files/{name}/{name}-1.0-py3-none-any.whl")).Length;
            await Task.Delay(1100); // uses are recorded to the second
        }

        var (evicted, _) = await server.Services.GetRequiredService<MirrorCache>().PruneAsync(last, CancellationToken.None);

        Assert.Equal(2, evicted);
        var kept = await server.Services.GetRequiredService<Clutch.Storage.Indexes.IIndexStore>().ListMirrorFilesAsync(CancellationToken.None);
        Assert.Equal("ccc/ccc-1.0-py3-none-any.whl", Assert.Single(kept).Key);
        await server.Client.GetByteArrayAsync("/mirror/files/aaa/aaa-1.0-py3-none-any.whl");
        await server.Client.GetByteArrayAsync("/mirror/files/ccc/ccc-1.0-py3-none-any.whl");
        Assert.Equal(2, upstream.Requests("/files/aaa-1.0-py3-none-any.whl"));
        Assert.Equal(1, upstream.Requests("/files/ccc-1.0-py3-none-any.whl"));
    }

    [Fact]
    public async Task A_slow_upstream_is_504_within_the_timeout_and_a_missing_name_is_asked_for_once_per_ttl()
    {
        await using var upstream = await CountingUpstream.StartAsync();
        upstream.Add("slow", "slow-1.0-py3-none-any.whl", UploadHarness.WheelBytes("slow", "1.0"));
        upstream.PageDelay = TimeSpan.FromSeconds(4);
        await using var server = await InProcessServer.StartAsync(configure: o => o.UpstreamTimeoutSeconds = 1);
        await server.AddUserAsync("admin", admin: true);
        await server.CreateIndexAsync($$"""{"name": "mirror", "upstream": "{{upstream.SimpleUrl}}", "ttl": "1h"}""");

        var clock = Stopwatch.StartNew();
        using (var slow = await server.Client.GetAsync("/mirror/simple/slow/"))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, slow.StatusCode);
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"504 after {clock.Elapsed}");

        upstream.PageDelay = TimeSpan.Zero;
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/mirror/simple/not-upstream/")).StatusCode);
        }

        Assert.Equal(1, upstream.Requests("/simple/not-upstream/"));
    }
}
