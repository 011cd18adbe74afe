using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Clutch.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace Clutch.EndToEnd.Tests;

/// <summary>
/// A node on PostgreSQL + S3 whose stores go away while it runs (issue 17), as the published
/// program answers it: 503 with Retry-After and one line wherever a store is needed (never a 500
/// or a 404), <c>/health/ready</c> names the store, pages already built are still served, nothing
/// is half-stored, and the same request succeeds once the store is back, without a restart.
/// The stores are cut with TCP relays between the node and PostgreSQL / moto.
/// </summary>
[Collection("cluster")]
public sealed class ClusterStoreOutageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(10);

    [ClusterFact]
    public async Task S3_cut_makes_an_upload_503_with_Retry_After_keeps_nothing_and_the_same_upload_succeeds_once_it_is_back()
    {
        await using var store = await RelayedNode.StartAsync();
        var node = store.Node;
        var wheels = await Task.WhenAll(
            PackageFactory.BuildAsync(new PackageSpec("e2e_s3cut_steady", "1.0")), PackageFactory.BuildAsync(new PackageSpec("e2e_s3cut", "1.0")));
        var wheel = wheels[1];
        var filename = Path.GetFileName(wheel);
        (await Twine.UploadAsync(node.UploadUrl, RelayedNode.User, RelayedNode.Password, [wheels[0]])).AssertSuccess();
        var builtPage = node.SimpleUrl + "e2e-s3cut-steady/";
        await AssertAnswersAsync(node, builtPage, HttpStatusCode.OK, "before the outage");

        store.S3.Cut();
        var clock = Stopwatch.StartNew();
        var twine = await Twine.UploadAsync(node.UploadUrl, RelayedNode.User, RelayedNode.Password, [wheel]);
        output.WriteLine($"twine's upload with S3 cut was refused after {clock.ElapsedMilliseconds} ms");
        twine.AssertFailure();
        // twine retries a 503 a few times, then shows it with the one-line reason, wrapped to the terminal.
        var shown = Regex.Replace(twine.StdOut + twine.StdErr, @"\s+", " ");
        Assert.True(
            shown.Contains("HTTPError: 503", StringComparison.Ordinal) && shown.Contains("Storage unavailable, try again shortly", StringComparison.Ordinal),
            "twine did not show the 503 and its reason:\n" + twine);

        using (var posted = await PostWheelAsync(node, wheel))
        {
            var body = await AssertUnavailableAsync(node, posted, "POST /legacy/ with S3 cut");
            Assert.Contains("Storage unavailable", body, StringComparison.Ordinal);
        }

        await AssertDegradedAsync(node, "blob store", builtPage, "with S3 cut");
        Assert.Empty(await node.ListFilesAsync("e2e-s3cut"));

        store.S3.Restore();
        Assert.True(await store.WaitUntilReadyAsync(Recovery), $"/health/ready did not answer 200 within {Recovery.TotalSeconds:F0} s of S3's return:\n{Tail(node)}");
        Assert.Empty(await node.ListFilesAsync("e2e-s3cut")); // nothing was listed while S3 was down
        Assert.Empty(await store.ObjectKeysOfAsync(filename)); // nor stored

        (await Twine.UploadAsync(node.UploadUrl, RelayedNode.User, RelayedNode.Password, [wheel])).AssertSuccess();
        var expected = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(wheel)));
        using var page = await node.GetProjectJsonAsync("e2e-s3cut");
        var listed = Assert.Single(page!.RootElement.GetProperty("files").EnumerateArray());
        Assert.Equal(filename, listed.GetProperty("filename").GetString());
        Assert.Equal(expected, listed.GetProperty("hashes").GetProperty("sha256").GetString());
        var bytes = await node.HttpClient.GetByteArrayAsync(new Uri(new Uri(node.SimpleUrl + "e2e-s3cut/"), listed.GetProperty("url").GetString()));
        Assert.Equal(expected, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    [ClusterFact]
    public async Task PostgreSQL_cut_makes_a_yank_503_with_Retry_After_and_the_same_yank_works_once_it_is_back()
    {
        await using var store = await RelayedNode.StartAsync();
        var node = store.Node;
        var files = await Task.WhenAll(
            PackageFactory.BuildAsync(new PackageSpec("e2e_pgcut", "1.0")), PackageFactory.BuildAsync(new PackageSpec("e2e_pgcut", "1.1")));
        (await Twine.UploadAsync(node.UploadUrl, RelayedNode.User, RelayedNode.Password, files)).AssertSuccess();
        var builtPage = node.SimpleUrl + "e2e-pgcut/";
        await AssertAnswersAsync(node, builtPage, HttpStatusCode.OK, "before the outage");

        store.Postgres.Cut();
        using (var refused = await YankAsync(node, "e2e-pgcut", "1.1"))
        {
            var body = await AssertUnavailableAsync(node, refused, "yank with PostgreSQL cut");
            Assert.Contains("Storage unavailable", body, StringComparison.Ordinal);
        }

        await AssertDegradedAsync(node, "catalog", builtPage, "with PostgreSQL cut");

        store.Postgres.Restore();
        Assert.True(await store.WaitUntilReadyAsync(Recovery), $"/health/ready did not answer 200 within {Recovery.TotalSeconds:F0} s of PostgreSQL's return:\n{Tail(node)}");
        Assert.False(await IsYankedAsync(node, Path.GetFileName(files[1])), "the yank refused with a 503 was applied");

        using (var yank = await YankAsync(node, "e2e-pgcut", "1.1"))
        {
            await AssertStatusAsync(node, yank, HttpStatusCode.OK, "yank once PostgreSQL is back");
        }

        var clock = Stopwatch.StartNew();
        while (!await IsYankedAsync(node, Path.GetFileName(files[1])))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), "the page does not show the yank made once PostgreSQL was back");
            await Task.Delay(20);
        }
    }

    [ClusterFact]
    public async Task A_listed_file_whose_object_was_deleted_from_the_bucket_is_503_with_Retry_After_not_500_or_404()
    {
        await using var store = await RelayedNode.StartAsync();
        var node = store.Node;
        var wheel = await PackageFactory.BuildAsync(new PackageSpec("e2e_lostobject", "1.0"));
        var filename = Path.GetFileName(wheel);
        (await Twine.UploadAsync(node.UploadUrl, RelayedNode.User, RelayedNode.Password, [wheel])).AssertSuccess();
        using var page = await node.GetProjectJsonAsync("e2e-lostobject");
        var listed = Assert.Single(page!.RootElement.GetProperty("files").EnumerateArray());
        var url = new Uri(new Uri(node.SimpleUrl + "e2e-lostobject/"), listed.GetProperty("url").GetString());

        // Deleted before any download: a small file once downloaded may be held in the node's memory.
        await store.DeleteObjectAsync(Assert.Single(await store.ObjectKeysOfAsync(filename)));

        // Ten downloads: a node whose socket completions ran on the event threads hung on some of
        // them (the AWS SDK read the 404's body synchronously there), not on every one.
        for (var attempt = 1; attempt <= 10; attempt++)
        {
            using var download = await GetWithinAsync(node, url, TimeSpan.FromSeconds(5), $"download {attempt}");
            var body = await AssertUnavailableAsync(node, download, $"download {attempt} of {url.AbsolutePath} after its object was deleted");
            Assert.Equal("text/plain", download.Content.Headers.ContentType?.MediaType);
            Assert.Contains(filename, body, StringComparison.Ordinal);
        }
    }

    /// <summary>A 503 with Retry-After and a one-line body (printed on failure); the body.</summary>
    /// <summary>/health/ready is 503 naming <paramref name="store"/>, and a page built before still answers 200.</summary>
    private static async Task AssertDegradedAsync(ClusterNode node, string store, string builtPage, string when)
    {
        using (var ready = await node.HttpClient.GetAsync(node.BaseUrl + "/health/ready"))
        {
            var body = await AssertStatusAsync(node, ready, HttpStatusCode.ServiceUnavailable, "/health/ready " + when);
            Assert.Contains(store, body, StringComparison.Ordinal);
        }

        await AssertAnswersAsync(node, builtPage, HttpStatusCode.OK, "a page built before the outage, " + when);
    }

    private static async Task<string> AssertUnavailableAsync(ClusterNode node, HttpResponseMessage response, string what)
    {
        var body = await AssertStatusAsync(node, response, HttpStatusCode.ServiceUnavailable, what);
        Assert.True(response.Headers.RetryAfter is not null, $"{what}: 503 without Retry-After: {body}");
        Assert.True(body.Length > 0 && !body.TrimEnd('\n').Contains('\n', StringComparison.Ordinal), $"{what}: the 503's body is not one line: {body}");
        return body;
    }

    /// <summary>Asserts the status, printing the body (and the node's last lines) when it is another; the body.</summary>
    private static async Task<string> AssertStatusAsync(ClusterNode node, HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{what}: expected {(int)expected}, got {(int)response.StatusCode}: {body}\n{Tail(node)}");
        return body;
    }

    /// <summary>A GET that fails the test, with the node's last lines, when it is not answered within <paramref name="limit"/>.</summary>
    private static async Task<HttpResponseMessage> GetWithinAsync(ClusterNode node, Uri url, TimeSpan limit, string what)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            return await node.HttpClient.GetAsync(url, timeout.Token);
        }
        catch (TaskCanceledException) when (timeout.IsCancellationRequested)
        {
            Assert.Fail($"{what}: GET {url.AbsolutePath} was not answered within {limit.TotalSeconds:F0} s\n{Tail(node)}");
            throw;
        }
    }

    private static async Task AssertAnswersAsync(ClusterNode node, string url, HttpStatusCode expected, string when)
    {
        using var response = await node.HttpClient.GetAsync(url);
        await AssertStatusAsync(node, response, expected, $"GET {url} {when}");
    }

    /// <summary>POST /legacy/ as twine sends it (without the optional digests).</summary>
    private static async Task<HttpResponseMessage> PostWheelAsync(ClusterNode node, string wheel)
    {
        var parsed = Path.GetFileName(wheel).Split('-');
        using var form = new MultipartFormDataContent
        {
            { new StringContent("file_upload"), ":action" },
            { new StringContent(parsed[0]), "name" },
            { new StringContent(parsed[1]), "version" },
            { new StringContent("bdist_wheel"), "filetype" },
        };
        var file = new ByteArrayContent(await File.ReadAllBytesAsync(wheel));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "content", Path.GetFileName(wheel));
        using var request = new HttpRequestMessage(HttpMethod.Post, node.UploadUrl) { Content = form };
        request.Headers.Authorization = Basic();
        return await node.HttpClient.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> YankAsync(ClusterNode node, string project, string version)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{node.BaseUrl}/api/projects/{project}/releases/{version}/yank");
        request.Headers.Authorization = Basic();
        return await node.HttpClient.SendAsync(request);
    }

    private static async Task<bool> IsYankedAsync(ClusterNode node, string filename)
    {
        using var page = await node.GetProjectJsonAsync(PackageFiles.ProjectOf(filename));
        var file = Assert.Single(page!.RootElement.GetProperty("files").EnumerateArray(), f => f.GetProperty("filename").GetString() == filename);
        return file.GetProperty("yanked").ValueKind != JsonValueKind.False;
    }

    private static AuthenticationHeaderValue Basic() =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{RelayedNode.User}:{RelayedNode.Password}")));

    /// <summary>The node's last lines of output, for a failure message.</summary>
    private static string Tail(ClusterNode node) =>
        "node output (last 30 lines):\n" + string.Join('\n', node.Output.Split('\n').TakeLast(30));
}
