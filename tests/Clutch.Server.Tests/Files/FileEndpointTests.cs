using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Clutch.Server.Tests.Harness;
using Microsoft.Extensions.DependencyInjection;

namespace Clutch.Server.Tests.Files;

public class FileEndpointTests(SeededServerFixture fixture) : IClassFixture<SeededServerFixture>
{
    private readonly HttpClient _client = fixture.Server.Client;

    [Fact]
    public async Task Download_has_type_length_etag_and_immutable_caching()
    {
        var expected = await File.ReadAllBytesAsync(Path.Combine(fixture.Server.Root, "alpha", "alpha-2.0-py3-none-any.whl"));
        using var r = await _client.GetAsync("/files/alpha/alpha-2.0-py3-none-any.whl");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/zip", r.Content.Headers.ContentType!.MediaType);
        Assert.Equal(expected.Length, r.Content.Headers.ContentLength);
        Assert.NotNull(r.Headers.ETag);
        Assert.Equal("bytes", Assert.Single(r.Headers.AcceptRanges));
        Assert.True(r.Headers.CacheControl!.Public);
        Assert.Contains("immutable", r.Headers.CacheControl.ToString());
        Assert.Equal(expected, await r.Content.ReadAsByteArrayAsync());

        using var sdist = await _client.GetAsync("/files/beta_pkg-0.1.tar.gz");
        Assert.Equal(HttpStatusCode.NotFound, sdist.StatusCode);
        using var realSdist = await _client.GetAsync("/files/Beta_Pkg-0.1.tar.gz");
        Assert.Equal(HttpStatusCode.OK, realSdist.StatusCode);
        Assert.Equal("application/gzip", realSdist.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_held_file_is_answered_by_a_lookup_on_the_path_with_the_same_headers_and_bytes()
    {
        const string key = "alpha/alpha-2.0-py3-none-any.whl";
        var locator = fixture.Server.Services.GetRequiredService<Clutch.Files.FileLocator>();
        using var first = await _client.GetAsync("/files/" + key);   // read from disk (or already held)
        using var second = await _client.GetAsync("/files/" + key);  // held: answered before routing
        Assert.True(locator.TryFindBuilt(key, out var download));
        Assert.True(download.HoldsBytes);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await second.Content.ReadAsByteArrayAsync());
        foreach (var name in new[] { "ETag", "Last-Modified", "Cache-Control", "Accept-Ranges" })
        {
            Assert.Equal(HeaderValues(first, name), HeaderValues(second, name));
        }

        Assert.Equal(first.Content.Headers.ContentType, second.Content.Headers.ContentType);
        Assert.Equal(first.Content.Headers.ContentLength, second.Content.Headers.ContentLength);

        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/files/" + key));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(first.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        // Not a {project}/{file} key under a normalized folder, or not a known file: the endpoint decides.
        Assert.False(locator.TryFindBuilt("alpha-1.0-py3-none-any.whl", out _));
        Assert.False(locator.TryFindBuilt("Alpha/alpha-2.0-py3-none-any.whl", out _));
        Assert.False(locator.TryFindBuilt("alpha/alpha-9.9-py3-none-any.whl", out _));
        using var flat = await _client.GetAsync("/files/alpha-1.0-py3-none-any.whl");
        Assert.Equal(HttpStatusCode.OK, flat.StatusCode);
    }

    private static string HeaderValues(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : "";

    [FolderFact]
    public async Task A_file_replaced_on_disk_is_answered_with_the_listed_bytes_until_reindexed_then_with_the_new()
    {
        await using var server = await InProcessServer.StartAsync(root => TestDistributions.Wheel(root, "swap", "1.0"));
        var path = Path.Combine(server.Root, "swap-1.0-py3-none-any.whl");
        var before = await server.Client.GetByteArrayAsync("/files/swap-1.0-py3-none-any.whl");
        Assert.Equal(await File.ReadAllBytesAsync(path), before);

        // Same length, other bytes, a later mtime: what a careless hand replacement looks like.
        var changed = (byte[])before.Clone();
        changed[^1] ^= 0xff;
        await File.WriteAllBytesAsync(path, changed);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));
        var newHash = Convert.ToHexStringLower(SHA256.HashData(changed));

        // Until the index has re-hashed the file, downloads give the listed (old) bytes, held in memory;
        // after, the new ones.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        byte[] after;
        while (true)
        {
            // The download first: when the page fetched after it still lists the old hash, the
            // download certainly came before the re-index.
            after = await server.Client.GetByteArrayAsync("/files/swap-1.0-py3-none-any.whl");
            var page = await server.Client.GetStringAsync("/simple/swap/");
            var listed = page.Contains("#sha256=" + newHash, StringComparison.Ordinal);
            if (listed)
            {
                break;
            }

            Assert.Equal(before, after);
            Assert.True(DateTime.UtcNow < deadline, "the replaced file was never re-indexed");
            await Task.Delay(50);
        }

        Assert.Equal(changed, await server.Client.GetByteArrayAsync("/files/swap-1.0-py3-none-any.whl"));
    }

    [Fact]
    public async Task Range_request_returns_the_requested_bytes()
    {
        var expected = await File.ReadAllBytesAsync(Path.Combine(fixture.Server.Root, "alpha-1.0-py3-none-any.whl"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/files/alpha-1.0-py3-none-any.whl");
        request.Headers.Range = new RangeHeaderValue(null, 22);
        using var r = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, r.StatusCode);
        Assert.Equal(expected[^22..], await r.Content.ReadAsByteArrayAsync());
        Assert.Equal(expected.Length, r.Content.Headers.ContentRange!.Length);
    }

    [Fact]
    public async Task Head_and_if_none_match_work_on_files()
    {
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/files/alpha-1.0-py3-none-any.whl"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/files/alpha-1.0-py3-none-any.whl");
        conditional.Headers.IfNoneMatch.Add(head.Headers.ETag!);
        using var r = await _client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, r.StatusCode);
    }

    [Theory]
    [InlineData("/files/README.txt")]
    [InlineData("/files/gamma.links")]
    [InlineData("/files/no-such-1.0.tar.gz")]
    public async Task Files_the_catalog_does_not_list_are_404(string path)
    {
        using var r = await _client.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
    }

    /// <summary>Sends a raw request line so no client normalizes the path first.</summary>
    private async Task<(int Status, string Response)> RawGetAsync(string target)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(fixture.Server.BaseAddress.Host, fixture.Server.BaseAddress.Port);
        await using var stream = tcp.GetStream();
        var request = $"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.Latin1);
        var text = await reader.ReadToEndAsync();
        var status = int.Parse(text.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, text);
    }

    [Theory]
    [InlineData("/files/../.clutch/catalog.db")]
    [InlineData("/files/%2e%2e/.clutch/catalog.db")]
    [InlineData("/files/%2E%2E%2F.clutch%2Fcatalog.db")]
    [InlineData("/files/alpha/..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/files/..%5c..%5cetc%5cpasswd")]
    [InlineData("/files/.clutch/catalog.db")]
    [InlineData("/files//etc/passwd")]
    [InlineData("/files/%2Fetc%2Fpasswd")]
    [InlineData("/files/alpha\\..\\..\\etc\\passwd")]
    [InlineData("/files/../../../../etc/passwd")]
    [InlineData("/files/.clutch/metadata/")]
    public async Task Traversal_in_any_form_gets_4xx_and_no_bytes_outside_the_index(string target)
    {
        var (status, response) = await RawGetAsync(target);
        Assert.InRange(status, 400, 499);
        Assert.DoesNotContain("SQLite format", response);
        Assert.DoesNotContain("root:", response);
    }
}
