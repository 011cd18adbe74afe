using System.Net;
using System.Text.Json;
using Clutch.Server.Tests.Harness;
using Clutch.Storage;
using Microsoft.Extensions.DependencyInjection;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Manage;

public sealed class ManageEndpointTests : IAsyncLifetime
{
    private const string Wheel = "demo-1.0-py3-none-any.whl";
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync();
        await _server.AddUserAsync("alice");
        await _server.AddUserAsync("bob");
        await _server.AddUserAsync("root", admin: true);
        (await _server.UploadWheelAsync("demo", "1.0")).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ICatalog Catalog => _server.Services.GetRequiredService<ICatalog>();

    [Fact]
    public async Task Yanked_file_shows_data_yanked_and_json_yanked_with_the_reason()
    {
        using var response = await _server.YankAsync("demo", Wheel, "broken build, use 1.1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("yank", body.RootElement.GetProperty("action").GetString());
        Assert.Equal([Wheel], body.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("broken build, use 1.1", body.RootElement.GetProperty("reason").GetString());
        Assert.Contains("data-yanked=\"broken build, use 1.1\"", await _server.Client.GetStringAsync("/simple/demo/"));
        Assert.Equal("broken build, use 1.1", (await _server.SimpleJsonEntryAsync("demo", Wheel))!.Value.GetProperty("yanked").GetString());
        using var pypi = JsonDocument.Parse(await _server.Client.GetStringAsync("/pypi/demo/1.0/json"));
        var url = pypi.RootElement.GetProperty("urls")[0];
        Assert.True(url.GetProperty("yanked").GetBoolean());
        Assert.Equal("broken build, use 1.1", url.GetProperty("yanked_reason").GetString());
    }

    [Fact]
    public async Task Yank_without_a_reason_is_json_yanked_true()
    {
        using var response = await _server.YankAsync("demo", Wheel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await _server.SimpleJsonEntryAsync("demo", Wheel))!.Value.GetProperty("yanked").GetBoolean());
        Assert.Contains("data-yanked=\"\"", await _server.Client.GetStringAsync("/simple/demo/"));
    }

    [Fact]
    public async Task Unyank_clears_the_yank()
    {
        (await _server.YankAsync("demo", Wheel, "oops")).EnsureSuccessStatusCode();

        using var response = await _server.SendAsync(HttpMethod.Post, $"/api/projects/demo/files/{Wheel}/unyank");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("data-yanked", await _server.Client.GetStringAsync("/simple/demo/"));
        Assert.False((await _server.SimpleJsonEntryAsync("demo", Wheel))!.Value.GetProperty("yanked").GetBoolean());
    }

    [Fact]
    public async Task Yanking_a_release_yanks_every_file_of_that_version_only()
    {
        (await _server.UploadAsync(Form(SdistBytes("demo", "1.0"), "demo-1.0.tar.gz", "demo", "1.0", "sdist"))).EnsureSuccessStatusCode();
        (await _server.UploadWheelAsync("demo", "1.1")).EnsureSuccessStatusCode();

        using var response = await _server.SendAsync(HttpMethod.Post, "/api/projects/Demo/releases/1.0.0/yank", "superseded");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("superseded", (await _server.SimpleJsonEntryAsync("demo", Wheel))!.Value.GetProperty("yanked").GetString());
        Assert.Equal("superseded", (await _server.SimpleJsonEntryAsync("demo", "demo-1.0.tar.gz"))!.Value.GetProperty("yanked").GetString());
        Assert.False((await _server.SimpleJsonEntryAsync("demo", "demo-1.1-py3-none-any.whl"))!.Value.GetProperty("yanked").GetBoolean());
    }

    [Fact]
    public async Task Deleted_file_is_unlisted_its_url_is_404_and_it_is_gone_from_the_store()
    {
        var file = (await Catalog.FindFileAsync(Wheel, CancellationToken.None))!;
        var metadata = BlobKeys.Metadata(file.Sha256);
        Assert.NotNull(await _server.ReadStoredAsync(metadata));
        (await _server.UploadWheelAsync("demo", "1.1")).EnsureSuccessStatusCode();

        using var response = await _server.DeleteFileAsync("demo", Wheel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(Wheel, await _server.Client.GetStringAsync("/simple/demo/"));
        using var download = await _server.Client.GetAsync($"/files/demo/{Wheel}");
        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        Assert.Equal(["demo/demo-1.1-py3-none-any.whl"], _server.PublicFiles());
        Assert.Null(await _server.ReadStoredAsync(metadata));
        Assert.Null(await Catalog.FindFileAsync(Wheel, CancellationToken.None));
    }

    [FolderFact("the folder reconcile")]
    public async Task Deleted_file_does_not_come_back_when_the_folder_is_reconciled()
    {
        (await _server.DeleteFileAsync("demo", Wheel)).EnsureSuccessStatusCode();
        var indexer = _server.Services.GetRequiredService<global::Clutch.Storage.Folder.FolderIndexer>();

        await indexer.IndexPathsAsync([$"demo/{Wheel}"], CancellationToken.None);
        var result = await indexer.ScanAsync(null, CancellationToken.None);

        Assert.Equal(0, result.Indexed);
        Assert.Null(await Catalog.FindFileAsync(Wheel, CancellationToken.None));
        Assert.False(await _server.WaitForPageAsync("/simple/demo/", page => page.Contains(Wheel), TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Deleted_filename_cannot_be_uploaded_again_until_an_admin_releases_it()
    {
        (await _server.DeleteFileAsync("demo", Wheel)).EnsureSuccessStatusCode();

        using var refused = await _server.UploadWheelAsync("demo", "1.0");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("was deleted and cannot be reused", await refused.Content.ReadAsStringAsync());

        Assert.True(await _server.Services.GetRequiredService<global::Clutch.Manage.ReleaseManager>().ReleaseFilenameAsync(Wheel, CancellationToken.None));
        using var accepted = await _server.UploadWheelAsync("demo", "1.0");
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_release_deletes_every_file_of_it_and_records_the_reason()
    {
        (await _server.UploadAsync(Form(SdistBytes("demo", "1.0"), "demo-1.0.tar.gz", "demo", "1.0", "sdist"))).EnsureSuccessStatusCode();

        using var response = await _server.SendAsync(HttpMethod.Delete, "/api/projects/demo/releases/1.0", "leaked a secret");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_server.PublicFiles());
        var tombstone = await _server.Services.GetRequiredService<IDeletedFiles>().FindAsync("demo-1.0.tar.gz", CancellationToken.None);
        Assert.Equal("leaked a secret", tombstone!.Reason);
        Assert.Equal("alice", tombstone.DeletedBy);
        using var page = await _server.Client.GetAsync("/simple/demo/");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
    }

    [Fact]
    public async Task Without_credentials_is_401_with_a_challenge_and_nothing_changes()
    {
        using var response = await _server.DeleteFileAsync("demo", Wheel, user: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(401, (await ManageApi.ProblemAsync(response)).GetProperty("status").GetInt32());
        Assert.NotNull(await Catalog.FindFileAsync(Wheel, CancellationToken.None));
    }

    [Fact]
    public async Task Wrong_password_is_401()
    {
        using var response = await _server.SendAsync(HttpMethod.Post, $"/api/projects/demo/files/{Wheel}/yank", secret: "wrong");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Invalid", (await ManageApi.ProblemAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Another_users_project_is_403()
    {
        using var response = await _server.YankAsync("demo", Wheel, "mine now", user: "bob");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("'bob' may not manage project 'demo'", (await ManageApi.ProblemAsync(response)).GetProperty("detail").GetString());
        Assert.False((await Catalog.FindFileAsync(Wheel, CancellationToken.None))!.Yanked);
    }

    [Fact]
    public async Task Token_scoped_to_another_project_is_403()
    {
        var token = await _server.CreateTokenAsync("alice", project: "other");

        using var response = await _server.SendAsync(HttpMethod.Delete, $"/api/projects/demo/files/{Wheel}", user: "__token__", secret: token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Owners_token_may_manage_its_project()
    {
        var token = await _server.CreateTokenAsync("alice", project: "demo");

        using var response = await _server.SendAsync(HttpMethod.Post, $"/api/projects/demo/files/{Wheel}/yank", user: "__token__", secret: token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Admin_may_manage_any_project()
    {
        using var response = await _server.YankAsync("demo", Wheel, "admin says", user: "root");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/api/projects/demo/files/demo-9.9-py3-none-any.whl/yank", "Project 'demo' has no file 'demo-9.9-py3-none-any.whl'.")]
    [InlineData("/api/projects/demo/releases/9.9/yank", "Project 'demo' has no version '9.9'.")]
    [InlineData("/api/projects/nothing-here/releases/1.0/yank", "Project 'nothing-here' is not in this index.")]
    public async Task Unknown_file_version_or_project_is_404(string path, string detail)
    {
        using var response = await _server.SendAsync(HttpMethod.Post, path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(detail, (await ManageApi.ProblemAsync(response)).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("/api/projects/..%2f..%2fetc/releases/1.0/yank", "'..%2f..%2fetc' is not a valid project name")]
    [InlineData("/api/projects/-demo/releases/1.0/yank", "'-demo' is not a valid project name")]
    [InlineData("/api/projects/d%C3%A9mo/files/demo-1.0-py3-none-any.whl", "'d\u00e9mo' is not a valid project name")]
    public async Task Name_that_is_not_a_project_name_is_404_naming_it(string path, string detail)
    {
        using var request = new HttpRequestMessage(path.Contains("/files/", StringComparison.Ordinal) ? HttpMethod.Delete : HttpMethod.Post, path);
        request.Headers.Authorization = Basic("alice", Password);
        using var response = await _server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith(detail, (await ManageApi.ProblemAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False((await Catalog.FindFileAsync(Wheel, CancellationToken.None))!.Yanked);
    }

    [Fact]
    public async Task A_file_of_another_project_is_404_under_this_one()
    {
        (await _server.UploadWheelAsync("other", "1.0")).EnsureSuccessStatusCode();

        using var response = await _server.DeleteFileAsync("other", Wheel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.NotNull(await Catalog.FindFileAsync(Wheel, CancellationToken.None));
    }

    [Fact]
    public async Task Deleting_a_deleted_file_again_is_404_saying_it_was_deleted()
    {
        (await _server.DeleteFileAsync("demo", Wheel)).EnsureSuccessStatusCode();
        (await _server.UploadWheelAsync("demo", "1.1")).EnsureSuccessStatusCode();

        using var response = await _server.DeleteFileAsync("demo", Wheel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith($"File '{Wheel}' was deleted on ", (await ManageApi.ProblemAsync(response)).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("{\"reason\": ")]
    [InlineData("[1, 2]")]
    public async Task Malformed_body_is_400(string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/projects/demo/files/{Wheel}/yank")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = Basic("alice", Password);

        using var response = await _server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("{\"reason\": \"...\"}", (await ManageApi.ProblemAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Multi_line_reason_is_400()
    {
        using var response = await _server.YankAsync("demo", Wheel, "line one\nline two");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False((await Catalog.FindFileAsync(Wheel, CancellationToken.None))!.Yanked);
    }
}

public sealed class PrivateManageTests
{
    [Fact]
    public async Task On_a_private_index_the_api_still_answers_problem_details_for_missing_credentials()
    {
        await using var server = await InProcessServer.StartAsync(configure: o => o.Private = true);

        using var response = await server.DeleteFileAsync("demo", "demo-1.0-py3-none-any.whl", user: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(401, (await ManageApi.ProblemAsync(response)).GetProperty("status").GetInt32());
    }
}
