using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Clutch.Server.Tests.Harness;

namespace Clutch.Server.Tests.Simple;

public class SimpleEndpointTests(SeededServerFixture fixture) : IClassFixture<SeededServerFixture>
{
    private const string PipAccept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";
    private readonly HttpClient _client = fixture.Server.Client;

    private async Task<HttpResponseMessage> GetAsync(string path, string? accept = null, string? encoding = null, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        if (encoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", encoding);
        }

        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        return await _client.SendAsync(request);
    }

    [Fact]
    public async Task Root_page_lists_every_project_with_pep_629_meta()
    {
        using var r = await GetAsync("/simple/");
        var html = await r.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("text/html", r.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<meta name=\"pypi:repository-version\" content=\"1.1\">", html);
        Assert.Contains("<a href=\"alpha/\">", html);
        Assert.Contains("<a href=\"beta-pkg/\">", html);
        Assert.Contains("<a href=\"gamma/\">", html);
        Assert.DoesNotContain("README", html);
    }

    [Fact]
    public async Task Root_page_as_json_for_the_accept_header_pip_sends()
    {
        using var r = await GetAsync("/simple/", PipAccept);
        Assert.Equal("application/vnd.pypi.simple.v1+json", r.Content.Headers.ContentType!.MediaType);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        Assert.Equal("1.1", doc.RootElement.GetProperty("meta").GetProperty("api-version").GetString());
        var names = doc.RootElement.GetProperty("projects").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Contains("alpha", names);
        Assert.Equal(3, names.Count);
    }

    [Fact]
    public async Task Project_page_links_every_file_with_sha256_fragment()
    {
        using var r = await GetAsync("/simple/alpha/");
        var html = await r.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var bytes = await File.ReadAllBytesAsync(Path.Combine(fixture.Server.Root, "alpha-1.0-py3-none-any.whl"));
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Contains($"href=\"../../files/alpha-1.0-py3-none-any.whl#sha256={sha}\"", html);
        Assert.Contains("href=\"../../files/alpha/alpha-2.0-py3-none-any.whl#sha256=", html);
        Assert.Contains("alpha-1.5.dev1234.tar.gz#sha256=", html);
        Assert.Contains("<meta name=\"pypi:repository-version\" content=\"1.1\">", html);
    }

    [Fact]
    public async Task Requires_python_is_html_escaped()
    {
        var html = await (await GetAsync("/simple/alpha/")).Content.ReadAsStringAsync();
        Assert.Contains("data-requires-python=\"&gt;=3.8,&lt;4 &amp; &quot;x&quot;\"", html);
    }

    [Fact]
    public async Task Wheels_advertise_core_metadata_under_both_attribute_names_and_it_is_served()
    {
        var html = await (await GetAsync("/simple/alpha/")).Content.ReadAsStringAsync();
        var line = html.Split('\n').Single(l => l.Contains("alpha-1.0-py3-none-any.whl</a>"));
        Assert.Contains("data-dist-info-metadata=\"sha256=", line);
        var core = System.Text.RegularExpressions.Regex.Match(line, "data-core-metadata=\"sha256=([0-9a-f]{64})\"");
        Assert.True(core.Success, line);

        using var metadata = await GetAsync("/files/alpha-1.0-py3-none-any.whl.metadata");
        Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
        var body = await metadata.Content.ReadAsByteArrayAsync();
        Assert.Equal(core.Groups[1].Value, Convert.ToHexStringLower(SHA256.HashData(body)));
        Assert.StartsWith("Metadata-Version: 2.1\nName: alpha\nVersion: 1.0", System.Text.Encoding.UTF8.GetString(body));
    }

    [Fact]
    public async Task Sdists_do_not_advertise_metadata_and_requesting_it_is_404()
    {
        var html = await (await GetAsync("/simple/alpha/")).Content.ReadAsStringAsync();
        var line = html.Split('\n').Single(l => l.Contains("alpha-1.5.dev1234.tar.gz</a>"));
        Assert.DoesNotContain("metadata", line);
        using var r = await GetAsync("/files/alpha-1.5.dev1234.tar.gz.metadata");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
    }

    [Fact]
    public async Task Json_project_page_carries_pep_691_and_700_fields_and_only_the_pep_714_metadata_key()
    {
        using var r = await GetAsync("/simple/alpha/", "application/vnd.pypi.simple.v1+json");
        var text = await r.Content.ReadAsStringAsync();
        Assert.DoesNotContain("dist-info-metadata", text);
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        Assert.Equal("alpha", root.GetProperty("name").GetString());
        Assert.Equal("1.1", root.GetProperty("meta").GetProperty("api-version").GetString());
        Assert.Equal(["1.0", "1.5.dev1234", "2.0"], root.GetProperty("versions").EnumerateArray().Select(v => v.GetString()!).ToArray());
        var files = root.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(3, files.Count);
        foreach (var f in files)
        {
            var name = f.GetProperty("filename").GetString()!;
            Assert.Matches("^[0-9a-f]{64}$", f.GetProperty("hashes").GetProperty("sha256").GetString());
            Assert.True(f.GetProperty("size").GetInt64() > 0);
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", f.GetProperty("upload-time").GetString());
            Assert.False(f.GetProperty("yanked").GetBoolean());
            var core = f.GetProperty("core-metadata");
            if (name.EndsWith(".whl", StringComparison.Ordinal))
            {
                Assert.Matches("^[0-9a-f]{64}$", core.GetProperty("sha256").GetString());
            }
            else
            {
                Assert.Equal(JsonValueKind.False, core.ValueKind);
            }
        }

        Assert.Equal(">=3.8,<4 & \"x\"", files.Single(f => f.GetProperty("filename").GetString() == "alpha-2.0-py3-none-any.whl").GetProperty("requires-python").GetString());
    }

    [Theory]
    [InlineData(PipAccept)]
    [InlineData("application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01")]
    [InlineData("application/vnd.pypi.simple.v1+json")]
    public async Task Accept_headers_of_pip_uv_and_poetry_get_json(string accept)
    {
        using var r = await GetAsync("/simple/alpha/", accept);
        Assert.Equal("application/vnd.pypi.simple.v1+json", r.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Format_query_parameter_selects_json()
    {
        using var r = await GetAsync("/simple/alpha/?format=application/vnd.pypi.simple.v1+json");
        Assert.Equal("application/vnd.pypi.simple.v1+json", r.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Unacceptable_media_type_is_406()
    {
        using var r = await GetAsync("/simple/alpha/", "application/xml");
        Assert.Equal(HttpStatusCode.NotAcceptable, r.StatusCode);
        Assert.Contains("application/vnd.pypi.simple.v1+json", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Pages_carry_etag_vary_and_short_cache_control_and_answer_304()
    {
        using var first = await GetAsync("/simple/alpha/");
        var etag = first.Headers.ETag!.Tag;
        Assert.Contains("Accept", first.Headers.Vary);
        Assert.Contains("Accept-Encoding", first.Headers.Vary);
        Assert.True(first.Headers.CacheControl!.MaxAge <= TimeSpan.FromMinutes(10));
        using var second = await GetAsync("/simple/alpha/", ifNoneMatch: etag);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());

        using var json = await GetAsync("/simple/alpha/", "application/vnd.pypi.simple.v1+json");
        Assert.NotEqual(etag, json.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task Gzip_is_served_when_accepted_and_inflates_to_the_plain_page()
    {
        using var plain = await GetAsync("/simple/alpha/");
        using var gz = await GetAsync("/simple/alpha/", encoding: "gzip");
        Assert.Equal("gzip", Assert.Single(gz.Content.Headers.ContentEncoding));
        Assert.NotEqual(plain.Headers.ETag!.Tag, gz.Headers.ETag!.Tag);
        await using var inflate = new GZipStream(await gz.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        using var reader = new StreamReader(inflate);
        Assert.Equal(await plain.Content.ReadAsStringAsync(), await reader.ReadToEndAsync());
    }

    [Theory]
    [InlineData("/simple/Beta_Pkg/", "/simple/beta-pkg/")]
    [InlineData("/simple/BETA.pkg/", "/simple/beta-pkg/")]
    [InlineData("/simple/beta-pkg", "/simple/beta-pkg/")]
    [InlineData("/simple", "/simple/")]
    [InlineData("/simple/Beta_Pkg/?format=json", "/simple/beta-pkg/?format=json")]
    [InlineData("/links/Beta_Pkg/", "/links/beta-pkg/")]
    public async Task Non_normalized_urls_redirect_permanently(string path, string location)
    {
        using var r = await GetAsync(path);
        Assert.Equal(HttpStatusCode.MovedPermanently, r.StatusCode);
        Assert.Equal(location, r.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Unknown_project_is_404()
    {
        using var r = await GetAsync("/simple/no-such-project/");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Equal("text/plain", r.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Head_answers_headers_without_a_body()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "/simple/alpha/");
        using var r = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.True(r.Content.Headers.ContentLength > 0);
    }

    [Fact]
    public async Task Health_endpoints_answer()
    {
        using var live = await GetAsync("/health/live");
        using var ready = await GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}
