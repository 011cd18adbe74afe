using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

/// <summary>The upstream of <see cref="IndexesTests"/>: another Clutch, in its own process, on its own port.</summary>
public sealed class IndexesUpstreamServer : ClutchServer
{
    protected override Task SeedAsync(string packagesDir) => SeedPackagesAsync(
        packagesDir,
        (new PackageSpec("e2e_upstream_only", "1.0"), PackageKind.Wheel),
        (new PackageSpec("e2e_acme_utils", "99.0"), PackageKind.Wheel));
}

/// <summary>
/// Several indexes as a team would run them (issue 19): a mirror of another Clutch, an index that
/// inherits from it with its own package, and a stable index releases are promoted into; driven by
/// the <c>clutch</c> CLI (while the server runs), twine, pip and a PEP 691 JSON client.
/// </summary>
public sealed class IndexesTests(ClutchServer server) : IClassFixture<ClutchServer>
{
    private const string JsonClient = """
        import hashlib, json, sys, urllib.request
        from urllib.parse import urljoin
        page_url = sys.argv[1]
        request = urllib.request.Request(page_url, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Type"].startswith("application/vnd.pypi.simple.v1+json"), response.headers["Content-Type"]
            page = json.load(response)
        wheel = [f for f in page["files"] if f["filename"].endswith(".whl")][-1]
        url = urljoin(page_url, wheel["url"])
        data = urllib.request.urlopen(url).read()
        assert hashlib.sha256(data).hexdigest() == wheel["hashes"]["sha256"], "file hash"
        metadata = urllib.request.urlopen(url + ".metadata").read()
        assert hashlib.sha256(metadata).hexdigest() == wheel["core-metadata"]["sha256"], "metadata hash"
        assert b"\nName: " in metadata, "metadata names the project"
        print(wheel["filename"], page["versions"], "metadata-ok")
        """;

    [RequiresPythonFact("3.11")]
    public async Task Pip_and_a_json_client_install_through_a_mirror_the_guard_holds_and_a_promotion_reaches_the_stable_index()
    {
        var upstream = new IndexesUpstreamServer();
        await upstream.InitializeAsync();
        try
        {
            await server.AddUserAsync("lead", "lead-password");
            (await server.RunCliAsync(["index", "create", "pypi-mirror", "--upstream", upstream.SimpleUrl, "--ttl", "0", .. server.StoreArguments])).AssertSuccess();
            (await server.RunCliAsync(["index", "create", "team", "--bases", "pypi-mirror", .. server.StoreArguments])).AssertSuccess();
            (await server.RunCliAsync(["index", "create", "stable", .. server.StoreArguments])).AssertSuccess();
            var refused = await server.RunCliAsync(["index", "create", "files", .. server.StoreArguments]);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("taken by the server's own URLs", refused.StdErr, StringComparison.Ordinal);
            Assert.True(await WaitForAsync("/stable/simple/"), "the running server did not pick up the new indexes");

            var local = await PackageFactory.WheelAsync("e2e_acme_utils", "1.0");
            (await Twine.UploadAsync(server.BaseUrl + "/team/legacy/", "lead", "lead-password", [local])).AssertSuccess();

            var pip = PythonClient.For("3.11");
            var teamUrl = server.BaseUrl + "/team/simple/";
            using (var target = new TempDirectory("from-upstream"))
            {
                (await pip.PipInstallAsync(teamUrl, target.Path, "e2e-upstream-only")).AssertSuccess();
                Assert.Equal("1.0", await pip.ImportedVersionAsync(target.Path, "e2e_upstream_only"));
            }

            var json = await pip.RunAsync(["-c", JsonClient, teamUrl + "e2e-upstream-only/"]);
            json.AssertSuccess();
            Assert.Contains("e2e_upstream_only-1.0-py3-none-any.whl ['1.0'] metadata-ok", json.StdOut, StringComparison.Ordinal);

            // The guard: the team's own e2e-acme-utils hides the upstream's 99.0.
            using (var target = new TempDirectory("guarded"))
            {
                (await pip.PipInstallAsync(teamUrl, target.Path, "e2e-acme-utils")).AssertSuccess();
                Assert.Equal("1.0", await pip.ImportedVersionAsync(target.Path, "e2e_acme_utils"));
            }

            await upstream.StopAsync();
            using (var never = await server.HttpClient.GetAsync(teamUrl + "e2e-never-fetched/"))
            {
                Assert.Equal(System.Net.HttpStatusCode.BadGateway, never.StatusCode);
            }

            using (var target = new TempDirectory("upstream-down"))
            {
                (await pip.PipInstallAsync(teamUrl, target.Path, "e2e-upstream-only")).AssertSuccess();
                Assert.Equal("1.0", await pip.ImportedVersionAsync(target.Path, "e2e_upstream_only"));
            }

            var pruned = (await server.RunCliAsync(["cache", "prune", "--max-mb", "0", .. server.StoreArguments])).AssertSuccess();
            Assert.Matches(@"Removed [1-9][0-9]* mirrored file\(s\)", pruned.StdOut); // the wheel and its PEP 658 metadata
            var evicted = await server.HttpClient.GetAsync(server.BaseUrl + "/pypi-mirror/files/e2e-upstream-only/e2e_upstream_only-1.0-py3-none-any.whl");
            Assert.Equal(System.Net.HttpStatusCode.BadGateway, evicted.StatusCode); // gone from the cache, and the upstream is down

            var promoted = await server.RunCliAsync(["promote", "e2e-acme-utils==1.0", "--from", "team", "--to", "stable", .. server.StoreArguments]);
            promoted.AssertSuccess();
            Assert.Contains("1 file(s) promoted.", promoted.StdOut, StringComparison.Ordinal);
            Assert.Contains("promoted: e2e_acme_utils-1.0-py3-none-any.whl team -> stable by cli:",
                (await server.RunCliAsync(["index", "show", "stable", .. server.StoreArguments])).AssertSuccess().StdOut, StringComparison.Ordinal);
            Assert.True(await WaitForAsync("/stable/simple/e2e-acme-utils/"), "the promoted release did not reach the running server");
            using (var target = new TempDirectory("stable"))
            {
                (await pip.PipInstallAsync(server.BaseUrl + "/stable/simple/", target.Path, "e2e-acme-utils")).AssertSuccess();
                Assert.Equal("1.0", await pip.ImportedVersionAsync(target.Path, "e2e_acme_utils"));
            }
        }
        finally
        {
            await upstream.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_index_API_answers_every_documented_status_from_the_shipped_build()
    {
        (await server.RunCliAsync(["user", "add", "api-admin2", "--admin", "--password-stdin", .. server.StoreArguments], "admin-password\n")).AssertSuccess();
        await server.AddUserAsync("api-user", "user-password");

        (string Method, string Path, string? Json, string? User, int Status)[] calls =
        [
            ("POST", "/api/indexes", """{"name": "api-dev"}""", "api-admin2", 201),
            ("POST", "/api/indexes", """{"name": "api-stable", "bases": ["api-dev"]}""", "api-admin2", 201),
            ("POST", "/api/indexes", """{"name": "api-dev"}""", "api-admin2", 409),
            ("POST", "/api/indexes", """{"name": "files"}""", "api-admin2", 400),
            ("POST", "/api/indexes", "not json", "api-admin2", 400),
            ("POST", "/api/indexes", """{"name": "x"}""", "api-user", 403),
            ("POST", "/api/indexes", """{"name": "x"}""", null, 401),
            ("GET", "/api/indexes", null, "api-user", 200),
            ("GET", "/api/indexes/api-dev", null, "api-user", 200),
            ("GET", "/api/indexes/nope", null, "api-user", 404),
            ("PUT", "/api/indexes/api-stable/allowed/some-project", null, "api-admin2", 200),
            ("PUT", "/api/indexes/nope/allowed/some-project", null, "api-admin2", 404),
            ("POST", "/api/indexes/api-stable/promotions", """{"project": "nothing", "version": "1.0", "from": "api-dev"}""", "api-admin2", 404),
            ("POST", "/api/indexes/api-stable/promotions", """{"project": "nothing"}""", "api-admin2", 400),
            ("DELETE", "/api/indexes/api-dev", null, "api-admin2", 409),
            ("DELETE", "/api/indexes/api-stable", null, "api-admin2", 204),
            ("DELETE", "/api/indexes/api-dev", null, "api-admin2", 204),
        ];
        foreach (var (method, path, json, user, status) in calls)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), server.BaseUrl + path);
            if (json is not null)
            {
                request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
            }

            if (user is not null)
            {
                var password = user == "api-user" ? "user-password" : "admin-password";
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(user + ":" + password)));
            }

            using var response = await server.HttpClient.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(status == (int)response.StatusCode, $"{method} {path} as {user}: {(int)response.StatusCode} {body}");
            if (status >= 400)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Contains("\"detail\":", body, StringComparison.Ordinal);
            }
        }
    }

    private async Task<bool> WaitForAsync(string path)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            using var response = await server.HttpClient.GetAsync(server.BaseUrl + path);
            if (response.IsSuccessStatusCode)
            {
                return true;
            }
        }

        return false;
    }
}
