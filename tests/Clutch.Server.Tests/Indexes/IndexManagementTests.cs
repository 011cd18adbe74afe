using System.Net;
using System.Text.Json;
using Clutch.Server.Tests.Harness;
using Microsoft.Extensions.DependencyInjection;

namespace Clutch.Server.Tests.Indexes;

public sealed class IndexManagementTests
{
    [Fact]
    public async Task Indexes_are_created_listed_shown_and_deleted_over_the_API_with_every_refusal_named()
    {
        await using var server = await InProcessServer.StartAsync();
        await server.AddUserAsync("admin", admin: true);
        await server.AddUserAsync("alice");

        using (var created = await server.SendAsync(HttpMethod.Post, "/api/indexes", """{"name": "dev", "ttl": "5m"}"""))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal("/api/indexes/dev", created.Headers.Location!.OriginalString);
            var body = await IndexApi.JsonAsync(created);
            Assert.Equal("local", body.GetProperty("kind").GetString());
            Assert.Equal(300, body.GetProperty("ttl_seconds").GetInt32());
            Assert.Equal("/dev/simple/", body.GetProperty("simple_url").GetString());
        }

        await server.CreateIndexAsync("""{"name": "team", "bases": ["dev", "default"]}""");

        (string Json, string? User, HttpStatusCode Status, string Reason)[] refused =
        [
            ("""{"name": "dev"}""", "admin", HttpStatusCode.Conflict, "exists already"),
            ("""{"name": "simple"}""", "admin", HttpStatusCode.BadRequest, "taken by the server's own URLs"),
            ("""{"name": "Team_1"}""", "admin", HttpStatusCode.BadRequest, "not valid"),
            ("""{"name": "x", "ttl": "soon"}""", "admin", HttpStatusCode.BadRequest, "not a duration"),
            ("""{"name": "x", "bases": ["nope"]}""", "admin", HttpStatusCode.BadRequest, "does not exist"),
            ("""{"name": "x", "upstream": "ftp://example/simple/"}""", "admin", HttpStatusCode.BadRequest, "not an http(s) URL"),
            ("""{"name": 7}""", "admin", HttpStatusCode.BadRequest, "must be JSON like"),
            ("""{"name": "x"}""", "alice", HttpStatusCode.Forbidden, "not an admin"),
            ("""{"name": "x"}""", null, HttpStatusCode.Unauthorized, "needs a user"),
        ];
        foreach (var (json, user, status, reason) in refused)
        {
            using var response = await server.SendAsync(HttpMethod.Post, "/api/indexes", json, user);
            Assert.True(status == response.StatusCode, $"{json} as {user}: {(int)response.StatusCode}");
            Assert.Contains(reason, await IndexApi.DetailAsync(response), StringComparison.Ordinal);
        }

        using (var list = await server.SendAsync(HttpMethod.Get, "/api/indexes", user: "alice"))
        {
            var names = (await IndexApi.JsonAsync(list)).EnumerateArray().Select(i => i.GetProperty("name").GetString());
            Assert.Equal(["dev", "team"], names);
        }

        using (var shown = await server.SendAsync(HttpMethod.Get, "/api/indexes/team", user: "alice"))
        {
            var bases = (await IndexApi.JsonAsync(shown)).GetProperty("bases").EnumerateArray().Select(b => b.GetString());
            Assert.Equal(["dev", "default"], bases);
        }

        using (var unknown = await server.SendAsync(HttpMethod.Get, "/api/indexes/nope"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var baseOfTeam = await server.SendAsync(HttpMethod.Delete, "/api/indexes/dev"))
        {
            Assert.Equal(HttpStatusCode.Conflict, baseOfTeam.StatusCode);
            Assert.Contains("is a base of team", await IndexApi.DetailAsync(baseOfTeam), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/dev/simple/")).StatusCode);
        using (var deleted = await server.SendAsync(HttpMethod.Delete, "/api/indexes/team"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/team/simple/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/simple/")).StatusCode);
    }

    [Fact]
    public async Task An_upload_to_an_index_is_listed_and_served_there_and_nowhere_else()
    {
        await using var server = await InProcessServer.StartAsync();
        await server.AddUserAsync("admin", admin: true);
        await server.AddUserAsync("alice");
        await server.CreateIndexAsync("""{"name": "team"}""");

        using (var upload = await server.UploadWheelToAsync("team", "team-lib", "1.0"))
        {
            Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        }

        var page = await server.Client.GetStringAsync("/team/simple/team-lib/");
        Assert.Equal(["team_lib-1.0-py3-none-any.whl"], IndexApi.Filenames(page));
        Assert.Contains("href=\"../../files/team-lib/team_lib-1.0-py3-none-any.whl#sha256=", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/simple/team-lib/")).StatusCode);
        Assert.Contains("team-lib", await server.Client.GetStringAsync("/team/simple/"), StringComparison.Ordinal);
        Assert.DoesNotContain("team-lib", await server.Client.GetStringAsync("/simple/"), StringComparison.Ordinal);

        var wheel = await server.Client.GetByteArrayAsync("/team/files/team-lib/team_lib-1.0-py3-none-any.whl");
        Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(wheel)), page, StringComparison.Ordinal);
        Assert.Contains("Name: team-lib", await server.Client.GetStringAsync("/team/files/team-lib/team_lib-1.0-py3-none-any.whl.metadata"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/files/team-lib/team_lib-1.0-py3-none-any.whl")).StatusCode);
        Assert.Contains("team_lib-1.0-py3-none-any.whl", await server.Client.GetStringAsync("/team/links/team-lib/"), StringComparison.Ordinal);

        using var json = new HttpRequestMessage(HttpMethod.Get, "/team/simple/team-lib/");
        json.Headers.Accept.ParseAdd("application/vnd.pypi.simple.v1+json");
        var body = await IndexApi.JsonAsync((await server.Client.SendAsync(json)));
        Assert.Equal("1.0", body.GetProperty("versions")[0].GetString());

        using var redirect = await server.Client.GetAsync("/team/simple/Team_Lib/");
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal("/team/simple/team-lib/", redirect.Headers.Location!.OriginalString);

        // The same filename with other bytes is a conflict in the index, as in the default index.
        using var other = await server.UploadWheelToAsync("team", "team-lib", "1.0", payload: "other bytes");
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        using var unknown = await server.UploadWheelToAsync("nope", "team-lib", "1.0");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task An_inheriting_index_shows_its_bases_files_and_the_guard_hides_a_name_it_has_itself_unless_allowed()
    {
        await using var server = await InProcessServer.StartAsync();
        await server.AddUserAsync("admin", admin: true);
        await server.AddUserAsync("alice");
        (await server.UploadWheelAsync("acme-utils", "99.0")).EnsureSuccessStatusCode();
        (await server.UploadWheelAsync("shared-lib", "1.0")).EnsureSuccessStatusCode();
        await server.CreateIndexAsync("""{"name": "team", "bases": ["default"]}""");
        (await server.UploadWheelToAsync("team", "acme-utils", "1.0")).EnsureSuccessStatusCode();

        Assert.Equal(["acme_utils-1.0-py3-none-any.whl"], IndexApi.Filenames(await server.Client.GetStringAsync("/team/simple/acme-utils/")));
        var inherited = await server.Client.GetStringAsync("/team/simple/shared-lib/");
        Assert.Contains("href=\"../../../files/shared-lib/shared_lib-1.0-py3-none-any.whl#sha256=", inherited, StringComparison.Ordinal);
        var root = await server.Client.GetStringAsync("/team/simple/");
        Assert.Contains("shared-lib", root, StringComparison.Ordinal);
        Assert.Contains("acme-utils", root, StringComparison.Ordinal);

        // A change in the base reaches the inheriting index's page.
        (await server.UploadWheelAsync("shared-lib", "2.0")).EnsureSuccessStatusCode();
        Assert.True(await server.WaitForPageAsync("/team/simple/shared-lib/", p => p.Contains("shared_lib-2.0-", StringComparison.Ordinal), TimeSpan.FromSeconds(5)));

        using (var allow = await server.SendAsync(HttpMethod.Put, "/api/indexes/team/allowed/Acme_Utils"))
        {
            Assert.Equal(HttpStatusCode.OK, allow.StatusCode);
        }

        Assert.Equal(["acme_utils-1.0-py3-none-any.whl", "acme_utils-99.0-py3-none-any.whl"], IndexApi.Filenames(await server.Client.GetStringAsync("/team/simple/acme-utils/")));
        using (var disallow = await server.SendAsync(HttpMethod.Delete, "/api/indexes/team/allowed/acme-utils"))
        {
            Assert.Equal(HttpStatusCode.OK, disallow.StatusCode);
        }

        Assert.Equal(["acme_utils-1.0-py3-none-any.whl"], IndexApi.Filenames(await server.Client.GetStringAsync("/team/simple/acme-utils/")));
    }

    [Fact]
    public async Task A_promotion_copies_the_same_bytes_records_who_and_refuses_another_file_of_that_name()
    {
        await using var server = await InProcessServer.StartAsync();
        await server.AddUserAsync("admin", admin: true);
        await server.AddUserAsync("alice");
        await server.AddUserAsync("bob");
        await server.CreateIndexAsync("""{"name": "dev"}""");
        await server.CreateIndexAsync("""{"name": "stable"}""");
        await server.CreateIndexAsync("""{"name": "other"}""");
        (await server.UploadWheelToAsync("dev", "app", "1.2.0")).EnsureSuccessStatusCode();
        (await server.UploadWheelToAsync("other", "app", "1.2.0", payload: "different build")).EnsureSuccessStatusCode();

        using (var promoted = await server.SendAsync(HttpMethod.Post, "/api/indexes/stable/promotions", """{"project": "App", "version": "1.2", "from": "dev"}""", user: "alice"))
        {
            Assert.True(promoted.StatusCode == HttpStatusCode.OK, await promoted.Content.ReadAsStringAsync());
            var row = Assert.Single((await IndexApi.JsonAsync(promoted)).EnumerateArray());
            Assert.Equal("alice", row.GetProperty("actor").GetString());
            Assert.Equal("dev", row.GetProperty("from").GetString());
        }

        const string File = "app/app-1.2.0-py3-none-any.whl";
        var devBytes = await server.Client.GetByteArrayAsync("/dev/files/" + File);
        Assert.Equal(devBytes, await server.Client.GetByteArrayAsync("/stable/files/" + File));
        Assert.Equal(await server.Client.GetStringAsync("/dev/files/" + File + ".metadata"), await server.Client.GetStringAsync("/stable/files/" + File + ".metadata"));
        var devSha = System.Text.RegularExpressions.Regex.Match(await server.Client.GetStringAsync("/dev/simple/app/"), "#sha256=([0-9a-f]{64})").Groups[1].Value;
        Assert.Contains(devSha, await server.Client.GetStringAsync("/stable/simple/app/"), StringComparison.Ordinal);
        var promotions = await server.Services.GetRequiredService<Clutch.Storage.Indexes.IIndexStore>().ListPromotionsAsync("stable", CancellationToken.None);
        Assert.Equal(("dev", "stable", "alice", devSha), (promotions[0].FromIndex, promotions[0].ToIndex, promotions[0].Actor, promotions[0].Sha256));

        // Again: nothing to copy. Into an index holding other bytes under the name: refused, nothing changed.
        using (var again = await server.SendAsync(HttpMethod.Post, "/api/indexes/stable/promotions", """{"project": "app", "version": "1.2.0", "from": "dev"}"""))
        {
            Assert.Equal("[]", await again.Content.ReadAsStringAsync());
        }

        var otherBefore = await server.Client.GetByteArrayAsync("/other/files/" + File);
        (string Path, string Json, string? User, HttpStatusCode Status, string Reason)[] refused =
        [
            ("/api/indexes/other/promotions", """{"project": "app", "version": "1.2.0", "from": "dev"}""", "admin", HttpStatusCode.Conflict, "already has a different file named 'app-1.2.0-py3-none-any.whl'"),
            ("/api/indexes/stable/promotions", """{"project": "app", "version": "9.9", "from": "dev"}""", "admin", HttpStatusCode.NotFound, "has no app==9.9"),
            ("/api/indexes/stable/promotions", """{"project": "app", "version": "1.2.0", "from": "nope"}""", "admin", HttpStatusCode.NotFound, "no index 'nope'"),
            ("/api/indexes/stable/promotions", """{"project": "app", "from": "dev"}""", "admin", HttpStatusCode.BadRequest, "needs project, version and from"),
            ("/api/indexes/stable/promotions", """{"project": "app", "version": "1.2.0", "from": "dev"}""", "bob", HttpStatusCode.Forbidden, "may not promote"),
        ];
        foreach (var (path, json, user, status, reason) in refused)
        {
            using var response = await server.SendAsync(HttpMethod.Post, path, json, user);
            Assert.True(status == response.StatusCode, $"{path} {json} as {user}: {(int)response.StatusCode}");
            Assert.Contains(reason, await IndexApi.DetailAsync(response), StringComparison.Ordinal);
        }

        Assert.Equal(otherBefore, await server.Client.GetByteArrayAsync("/other/files/" + File));
    }

    [Fact]
    public async Task A_private_index_asks_for_credentials_and_a_token_limited_to_one_index_works_only_there()
    {
        await using var server = await InProcessServer.StartAsync();
        await server.AddUserAsync("admin", admin: true);
        await server.AddUserAsync("alice");
        await server.CreateIndexAsync("""{"name": "secret", "private": true}""");
        await server.CreateIndexAsync("""{"name": "open"}""");
        (await server.UploadWheelToAsync("secret", "hidden", "1.0")).EnsureSuccessStatusCode();
        using (var leaky = await server.SendAsync(HttpMethod.Post, "/api/indexes", """{"name": "leaky", "bases": ["secret"]}"""))
        {
            Assert.Equal(HttpStatusCode.BadRequest, leaky.StatusCode);
            Assert.Contains("is private; an index that inherits from it must be private too", await IndexApi.DetailAsync(leaky), StringComparison.Ordinal);
        }

        using (var anonymous = await server.Client.GetAsync("/secret/simple/hidden/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client.GetAsync("/secret/files/hidden/hidden-1.0-py3-none-any.whl")).StatusCode);
        using (var signedIn = await server.SendAsync(HttpMethod.Get, "/secret/simple/hidden/", user: "alice"))
        {
            Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        }

        var token = await server.CreateTokenAsync("alice", index: "open");
        (await server.UploadWheelToAsync("open", "scoped", "1.0", user: "__token__", secret: token)).EnsureSuccessStatusCode();
        foreach (var index in (string[])["", "secret"])
        {
            using var refused = await server.UploadWheelToAsync(index, "scoped", "1.1", user: "__token__", secret: token);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("limited to index 'open'", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var read = new HttpRequestMessage(HttpMethod.Get, "/secret/simple/hidden/");
        read.Headers.Authorization = UploadHarness.Basic("__token__", token);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client.SendAsync(read)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/simple/scoped/")).StatusCode);
    }

    [Fact]
    public async Task An_index_that_names_its_uploaders_takes_uploads_and_promotions_from_them_and_admins_only()
    {
        await using var server = await InProcessServer.StartAsync();
        await server.AddUserAsync("admin", admin: true);
        await server.AddUserAsync("alice");
        await server.AddUserAsync("bob");
        await server.CreateIndexAsync("""{"name": "dev"}""");
        await server.CreateIndexAsync("""{"name": "releases", "uploaders": ["alice"]}""");
        (await server.UploadWheelToAsync("dev", "bobs-lib", "1.0", user: "bob")).EnsureSuccessStatusCode();

        using (var refused = await server.UploadWheelToAsync("releases", "bobs-lib", "1.0", user: "bob"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("takes uploads and promotions from alice only, not 'bob'", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        (await server.UploadWheelToAsync("releases", "alices-lib", "1.0")).EnsureSuccessStatusCode();
        const string Promote = """{"project": "bobs-lib", "version": "1.0", "from": "dev"}""";
        using (var refused = await server.SendAsync(HttpMethod.Post, "/api/indexes/releases/promotions", Promote, user: "bob"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("from alice only", await IndexApi.DetailAsync(refused), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/releases/simple/bobs-lib/")).StatusCode);
        using (var promoted = await server.SendAsync(HttpMethod.Post, "/api/indexes/releases/promotions", Promote))
        {
            Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
        }

        Assert.Contains("bobs_lib-1.0-py3-none-any.whl", await server.Client.GetStringAsync("/releases/simple/bobs-lib/"), StringComparison.Ordinal);
        using var shown = await server.SendAsync(HttpMethod.Get, "/api/indexes/releases");
        Assert.Equal(["alice"], (await IndexApi.JsonAsync(shown)).GetProperty("uploaders").EnumerateArray().Select(u => u.GetString()));
    }

    [Fact]
    public async Task An_index_deleted_and_made_again_elsewhere_is_served_from_its_new_stores()
    {
        await using var server = await InProcessServer.StartAsync();
        await server.AddUserAsync("admin", admin: true);
        await server.AddUserAsync("alice");
        await server.CreateIndexAsync("""{"name": "team"}""");
        (await server.UploadWheelToAsync("team", "team-lib", "1.0")).EnsureSuccessStatusCode();
        Assert.Contains("team-lib", await server.Client.GetStringAsync("/team/simple/"), StringComparison.Ordinal);

        // As a CLI command or another node does it: on the stores, without this node's registry.
        var services = server.Services;
        var elsewhere = new Clutch.Indexes.IndexService(
            services.GetRequiredService<Clutch.Storage.Indexes.IIndexStore>(), services.GetRequiredService<Clutch.Hosting.ClutchOptions>(),
            services.GetRequiredService<Clutch.Storage.ICatalog>(), services.GetRequiredService<Clutch.Storage.IDeletedFiles>(),
            services.GetRequiredService<Clutch.Storage.IBlobStore>(), services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>(), TimeProvider.System);
        await elsewhere.DeleteAsync("team", null, CancellationToken.None);
        await elsewhere.CreateAsync(new Clutch.Indexes.IndexRequest("team", null, [], null, false), "cli:test", CancellationToken.None);

        Assert.True(await server.WaitForPageAsync("/team/simple/", p => !p.Contains("team-lib", StringComparison.Ordinal), TimeSpan.FromSeconds(10)));
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/team/simple/team-lib/")).StatusCode);
        (await server.UploadWheelToAsync("team", "team-lib", "1.0", payload: "a new build")).EnsureSuccessStatusCode();
        Assert.Contains("team_lib-1.0-py3-none-any.whl", await server.Client.GetStringAsync("/team/simple/team-lib/"), StringComparison.Ordinal);
    }
}
