using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Clutch.Mirror;
using Clutch.Server.Tests.Harness;

namespace Clutch.Server.Tests.Mirror;

/// <summary>
/// The client against real HTTP servers: an in-process Clutch as the upstream (JSON, ETags, 404,
/// redirects, files) and a stub for what a Clutch does not do (HTML only, credentials, slow, failing).
/// </summary>
public sealed class UpstreamClientTests(SeededServerFixture clutch, StubUpstreamFixture stub)
    : IClassFixture<SeededServerFixture>, IClassFixture<StubUpstreamFixture>, IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.All });

    private Uri ClutchIndex => new(clutch.Server.BaseAddress, "/simple/");

    public void Dispose() => _http.Dispose();

    private UpstreamClient Client(double timeoutSeconds = 10) => new(_http, new UpstreamClientOptions { PageTimeout = TimeSpan.FromSeconds(timeoutSeconds) });

    [Fact]
    public async Task Clutch_project_page_is_read_as_json_with_absolute_urls()
    {
        var result = await Client().GetProjectAsync(ClutchIndex, "alpha", null, CancellationToken.None);

        Assert.Equal(UpstreamStatus.Ok, result.Status);
        Assert.NotNull(result.ETag);
        var page = result.Page!;
        Assert.Equal("alpha", page.Name);
        Assert.Equal(["alpha-1.0-py3-none-any.whl", "alpha-1.5.dev1234.tar.gz", "alpha-2.0-py3-none-any.whl"], page.Files.Select(f => f.Filename).Order());
        Assert.All(page.Files, f =>
        {
            Assert.StartsWith(clutch.Server.BaseAddress + "files/", f.Url, StringComparison.Ordinal);
            Assert.Matches("^[0-9a-f]{64}$", f.Sha256);
            Assert.True(f.Size > 0);
            Assert.NotNull(f.UploadTime); // PEP 700: only the JSON page has it.
        });
        var wheel = page.Files.Single(f => f.Filename == "alpha-2.0-py3-none-any.whl");
        Assert.Equal(">=3.8,<4 & \"x\"", wheel.RequiresPython);
        Assert.True(wheel.HasCoreMetadata);
        Assert.Matches("^[0-9a-f]{64}$", wheel.CoreMetadataSha256);
    }

    [Fact]
    public async Task Clutch_html_page_parses_to_the_same_files_as_its_json_page()
    {
        // One model, two renderings: what the HTML carries must agree with the JSON field by field.
        var json = (await Client().GetProjectAsync(ClutchIndex, "alpha", null, CancellationToken.None)).Page!;
        var html = Encoding.UTF8.GetString(await clutch.Server.GetPageBytesAsync("/simple/alpha/", gzip: false, accept: "text/html"));

        var parsed = UpstreamHtmlParser.ParseProject(html, new Uri(clutch.Server.BaseAddress, "/simple/alpha/"), "alpha");

        Assert.Equal("alpha", parsed.Name);
        Assert.Equal(json.Files.Select(f => f with { Size = null, UploadTime = null }), parsed.Files);

        var root = (await Client().GetRootAsync(ClutchIndex, null, CancellationToken.None)).Page!;
        var htmlRoot = UpstreamHtmlParser.ParseRoot(
            Encoding.UTF8.GetString(await clutch.Server.GetPageBytesAsync("/simple/", gzip: false, accept: "text/html")), ClutchIndex);
        Assert.Contains("alpha", root.Names);
        Assert.Contains("Beta_Pkg", root.Names);
        Assert.Equal(root.Names, htmlRoot.Names);
    }

    [Fact]
    public async Task Etag_revalidation_answers_not_modified()
    {
        var client = Client();
        var first = await client.GetProjectAsync(ClutchIndex, "alpha", null, CancellationToken.None);
        var again = await client.GetProjectAsync(ClutchIndex, "alpha", first.ETag, CancellationToken.None);
        var stale = await client.GetProjectAsync(ClutchIndex, "alpha", "\"not-the-current-tag\"", CancellationToken.None);

        Assert.Equal(UpstreamStatus.NotModified, again.Status);
        Assert.Null(again.Page);
        Assert.Equal(first.ETag, again.ETag);
        Assert.Equal(UpstreamStatus.Ok, stale.Status);
        Assert.Equal(first.ETag, stale.ETag);

        var root = await client.GetRootAsync(ClutchIndex, null, CancellationToken.None);
        Assert.Equal(UpstreamStatus.NotModified, (await client.GetRootAsync(ClutchIndex, root.ETag, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Unknown_project_is_not_found()
    {
        var result = await Client().GetProjectAsync(ClutchIndex, "no-such-project", null, CancellationToken.None);
        Assert.Equal(UpstreamStatus.NotFound, result.Status);
        Assert.Null(result.Page);
    }

    [Fact]
    public async Task Redirect_of_a_non_canonical_name_is_followed_and_links_resolve_against_the_final_url()
    {
        // Index URL without its trailing slash, project as typed: Clutch redirects /simple/Beta_Pkg/ to /simple/beta-pkg/.
        var result = await Client().GetProjectAsync(new Uri(clutch.Server.BaseAddress, "/simple"), "Beta_Pkg", null, CancellationToken.None);

        Assert.Equal(UpstreamStatus.Ok, result.Status);
        var file = Assert.Single(result.Page!.Files);
        Assert.Equal("Beta_Pkg-0.1.tar.gz", file.Filename);
        Assert.Equal(clutch.Server.BaseAddress + "files/Beta_Pkg-0.1.tar.gz", file.Url);
    }

    [Fact]
    public async Task Download_copies_the_file_and_checks_its_hash()
    {
        var client = Client();
        var file = (await client.GetProjectAsync(ClutchIndex, "alpha", null, CancellationToken.None)).Page!.Files.First(f => f.Filename == "alpha-1.0-py3-none-any.whl");
        using var copy = new MemoryStream();

        var written = await client.DownloadAsync(ClutchIndex, file.Url, file.Sha256!, copy, CancellationToken.None);

        Assert.Equal(file.Size, written);
        Assert.Equal(written, copy.Length);
        Assert.Equal(file.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(copy.ToArray())));
    }

    [Fact]
    public async Task Download_with_the_wrong_hash_is_an_integrity_failure()
    {
        var client = Client();
        var file = (await client.GetProjectAsync(ClutchIndex, "alpha", null, CancellationToken.None)).Page!.Files.First(f => f.Filename == "alpha-1.0-py3-none-any.whl");
        var wrong = new string('0', 64);
        using var copy = new MemoryStream();

        var e = await Assert.ThrowsAsync<UpstreamIntegrityException>(() => client.DownloadAsync(ClutchIndex, file.Url, wrong, copy, CancellationToken.None));

        Assert.Equal(wrong, e.ExpectedSha256);
        Assert.Equal(file.Sha256, e.ActualSha256);
        Assert.Equal(file.Size, e.Bytes);
        Assert.Contains("alpha-1.0-py3-none-any.whl", e.Message);
    }

    [Fact]
    public async Task Download_of_a_missing_file_says_not_found()
    {
        using var copy = new MemoryStream();
        var e = await Assert.ThrowsAsync<UpstreamUnavailableException>(() => Client().DownloadAsync(
            ClutchIndex, clutch.Server.BaseAddress + "files/zzz-9.9-py3-none-any.whl", new string('0', 64), copy, CancellationToken.None));
        Assert.True(e.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
        Assert.Equal(0, copy.Length);
    }

    [Fact]
    public async Task Html_only_upstream_is_read_with_relative_links()
    {
        var result = await Client().GetProjectAsync(stub.Index("html"), "demo", null, CancellationToken.None);

        Assert.Equal(UpstreamClient.AcceptHeader, stub.LastPageAccept);
        Assert.Equal(UpstreamStatus.Ok, result.Status);
        Assert.Equal("Demo", result.Page!.Name);
        Assert.Equal(
            new UpstreamFile("demo-1.0.tar.gz", stub.Server.BaseAddress + "files/demo-1.0.tar.gz", StubUpstreamFixture.FileSha256, ">=3.9", false, null, false, null, null, null),
            Assert.Single(result.Page.Files));
        Assert.Equal(["Demo", "other"], (await Client().GetRootAsync(stub.Index("html"), null, CancellationToken.None)).Page!.Names);
    }

    [Fact]
    public async Task Credentials_in_the_index_url_are_sent_to_its_host_only_and_survive_a_redirect()
    {
        var client = Client();
        var index = stub.Index("auth", StubUpstreamFixture.User, StubUpstreamFixture.Password);
        var direct = await client.GetProjectAsync(index, "demo", null, CancellationToken.None);
        // /redirect/simple/demo/ moves to /auth/simple/demo/; HttpClient drops the credentials on the way.
        var redirected = await client.GetProjectAsync(stub.Index("redirect", StubUpstreamFixture.User, StubUpstreamFixture.Password), "demo", null, CancellationToken.None);

        Assert.Equal(UpstreamStatus.Ok, direct.Status);
        Assert.Equal(UpstreamStatus.Ok, redirected.Status);
        Assert.DoesNotContain(direct.Page!.Files, f => f.Url.Contains(StubUpstreamFixture.User, StringComparison.Ordinal));

        using var copy = new MemoryStream();
        Assert.Equal(StubUpstreamFixture.FileBytes.Length, await client.DownloadAsync(index, stub.Server.BaseAddress + "auth/files/demo-1.0.tar.gz", StubUpstreamFixture.FileSha256, copy, CancellationToken.None));
        Assert.StartsWith("Basic ", stub.LastFileAuthorization, StringComparison.Ordinal);

        // Another host name (same server): no credentials go there.
        var elsewhere = $"http://localhost:{stub.Server.BaseAddress.Port}/files/demo-1.0.tar.gz";
        copy.SetLength(0);
        await client.DownloadAsync(index, elsewhere, StubUpstreamFixture.FileSha256, copy, CancellationToken.None);
        Assert.Equal("", stub.LastFileAuthorization);
    }

    [Fact]
    public async Task Wrong_credentials_fail_without_naming_them()
    {
        var e = await Assert.ThrowsAsync<UpstreamUnavailableException>(() =>
            Client().GetProjectAsync(stub.Index("auth", "mirror", "wr0ng-secret"), "demo", null, CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
        Assert.Contains("401", e.Message);
        Assert.DoesNotContain("wr0ng-secret", e.ToString());
        Assert.DoesNotContain("mirror:", e.ToString());
    }

    [Fact]
    public async Task Stopped_upstream_is_unavailable_at_once_and_the_message_has_no_credentials()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // Nothing listens there now: connection refused.
        var watch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<UpstreamUnavailableException>(() =>
            Client().GetProjectAsync(new Uri($"http://bot:t0p-s3cret@127.0.0.1:{port}/simple/"), "demo", null, CancellationToken.None));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        Assert.False(e.TimedOut);
        Assert.Equal($"http://127.0.0.1:{port}", e.Host);
        Assert.Equal($"Upstream http://127.0.0.1:{port} is unreachable: connection refused (GET /simple/demo/).", e.Message);
        Assert.DoesNotContain("t0p-s3cret", e.ToString());
        Assert.DoesNotContain("bot", e.ToString());
    }

    [Fact]
    public async Task Slow_upstream_times_out()
    {
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<UpstreamUnavailableException>(() =>
            Client(timeoutSeconds: 0.3).GetProjectAsync(stub.Index("slow", "bot", "t0p-s3cret"), "demo", null, CancellationToken.None));

        Assert.True(e.TimedOut);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        Assert.Contains("within 0.3 s", e.Message);
        Assert.DoesNotContain("t0p-s3cret", e.ToString());
    }

    [Fact]
    public async Task Stalled_download_times_out_naming_what_arrived()
    {
        using var copy = new MemoryStream();
        var e = await Assert.ThrowsAsync<UpstreamUnavailableException>(() => Client(timeoutSeconds: 0.3).DownloadAsync(
            stub.Index("stall"), stub.Server.BaseAddress + "stall/files/demo-1.0.tar.gz", StubUpstreamFixture.FileSha256, copy, CancellationToken.None));
        Assert.True(e.TimedOut);
        Assert.Contains("after 1000 bytes", e.Message);
        Assert.Equal(1000, copy.Length);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_a_timeout()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client().GetProjectAsync(stub.Index("slow"), "demo", null, cancel.Token));
    }

    [Fact]
    public async Task Server_error_is_unavailable_with_its_status()
    {
        var e = await Assert.ThrowsAsync<UpstreamUnavailableException>(() => Client().GetRootAsync(stub.Index("broken"), null, CancellationToken.None));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, e.StatusCode);
        Assert.False(e.NotFound);
        Assert.Equal($"Upstream {stub.Server.BaseAddress.GetLeftPart(UriPartial.Authority)} answered 503 Service Unavailable to GET /broken/simple/.", e.Message);
    }
}
