using System.Net;
using System.Security.Cryptography;
using Clutch.Server.Tests.Harness;
using Clutch.Storage;
using Microsoft.Extensions.DependencyInjection;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Upload;

public sealed class UploadEndpointTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync(configure: o => o.MaxUploadBytes = 16 * 1024 * 1024);
        await _server.AddUserAsync("alice");
        await _server.AddUserAsync("bob");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ICatalog Catalog => _server.Services.GetRequiredService<ICatalog>();

    [Fact]
    public async Task Wheel_upload_is_stored_under_its_project_and_listed_at_once()
    {
        using var response = await _server.UploadWheelAsync("demo", "1.0");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["demo/demo-1.0-py3-none-any.whl"], _server.PublicFiles());
        var page = await _server.Client.GetStringAsync("/simple/demo/");
        Assert.Contains("demo-1.0-py3-none-any.whl#sha256=", page);
        Assert.Contains("data-core-metadata=", page);
        var file = await Catalog.FindFileAsync("demo-1.0-py3-none-any.whl", CancellationToken.None);
        Assert.Equal("alice", file!.Uploader);
        Assert.Empty(_server.TempFiles());
    }

    [Fact]
    public async Task Sdist_upload_with_a_token_is_listed()
    {
        var token = await _server.CreateTokenAsync("alice");
        var bytes = SdistBytes("demo-sdist", "2.0");

        using var response = await _server.UploadAsync(Form(bytes, "demo-sdist-2.0.tar.gz", "demo-sdist", "2.0", "sdist"), "__token__", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("demo-sdist-2.0.tar.gz", await _server.Client.GetStringAsync("/simple/demo-sdist/"));
    }

    [Theory]
    [InlineData("/legacy")]
    [InlineData("/legacy/")]
    [InlineData("/")]
    public async Task Upload_paths_take_uploads_without_a_redirect(string path)
    {
        var version = "1." + path.Length;
        using var response = await _server.UploadAsync(Form(WheelBytes("paths", version), $"paths-{version}-py3-none-any.whl", "paths", version), path: path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Identical_reupload_is_200_and_changes_nothing()
    {
        var bytes = WheelBytes("same", "1.0");
        using var first = await _server.UploadAsync(Form(bytes, "same-1.0-py3-none-any.whl", "same", "1.0"));
        var before = await Catalog.FindFileAsync("same-1.0-py3-none-any.whl", CancellationToken.None);

        using var again = await _server.UploadAsync(Form(bytes, "same-1.0-py3-none-any.whl", "same", "1.0"));

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(before, await Catalog.FindFileAsync("same-1.0-py3-none-any.whl", CancellationToken.None));
    }

    [Fact]
    public async Task Different_bytes_under_an_existing_filename_are_409_file_already_exists()
    {
        using var first = await _server.UploadWheelAsync("clash", "1.0", payload: "one");
        var stored = await _server.ReadStoredAsync("clash/clash-1.0-py3-none-any.whl");
        Assert.NotNull(stored);

        using var second = await _server.UploadWheelAsync("clash", "1.0", payload: "two");

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("File already exists", await second.Content.ReadAsStringAsync());
        Assert.Equal(stored, await _server.ReadStoredAsync("clash/clash-1.0-py3-none-any.whl"));
        Assert.Empty(_server.TempFiles());
    }

    public static TheoryData<string, string?, string> BadForms => new()
    {
        { "version", null, "Missing form field 'version'" },
        { "name", null, "Missing form field 'name'" },
        { ":action", null, "Missing form field ':action'" },
        { ":action", "doc_upload", "Unsupported :action 'doc_upload'" },
        { "version", "2.0", "the form says '2.0'" },
        { "name", "other", "the form says 'other'" },
        { "filetype", "sdist", "filetype 'sdist'" },
        { "sha256_digest", new string('0', 64), "sha256_digest" },
        { "md5_digest", new string('0', 32), "md5_digest" },
        { "blake2_256_digest", new string('0', 64), "blake2_256_digest" },
    };

    [Theory]
    [MemberData(nameof(BadForms))]
    public async Task Bad_form_is_400_with_a_reason_and_nothing_stored(string field, string? value, string reason)
    {
        var form = Form(WheelBytes("formcheck", "1.0"), "formcheck-1.0-py3-none-any.whl", "formcheck", "1.0", edit: new Dictionary<string, string?> { [field] = value });

        using var response = await _server.UploadAsync(form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync());
        Assert.Contains(reason.Split('\'')[0].Trim(), response.ReasonPhrase);
        Assert.Empty(_server.PublicFiles());
        Assert.Empty(_server.TempFiles());
        Assert.Null(await Catalog.FindFileAsync("formcheck-1.0-py3-none-any.whl", CancellationToken.None));
    }

    [Theory]
    [InlineData("../formcheck-1.0-py3-none-any.whl")]
    [InlineData("sub/formcheck-1.0-py3-none-any.whl")]
    [InlineData("sub\\formcheck-1.0-py3-none-any.whl")]
    [InlineData("formcheck-1.0-py3-none-any..whl")]
    [InlineData(".formcheck-1.0-py3-none-any.whl")]
    [InlineData("formcheck-1.0.txt")]
    public async Task Bad_filename_is_400_and_nothing_stored(string filename)
    {
        using var response = await _server.UploadAsync(Form(WheelBytes("formcheck", "1.0"), filename, "formcheck", "1.0"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_server.PublicFiles());
        Assert.Empty(_server.TempFiles());
    }

    [Fact]
    public async Task Whl_that_is_not_a_zip_is_400_and_nothing_stored()
    {
        var bytes = "this is not a zip file"u8.ToArray();

        using var response = await _server.UploadAsync(Form(bytes, "notzip-1.0-py3-none-any.whl", "notzip", "1.0"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not a readable zip", await response.Content.ReadAsStringAsync());
        Assert.Empty(_server.PublicFiles());
        Assert.Empty(_server.TempFiles());
    }

    [Fact]
    public async Task Wheel_whose_metadata_names_another_project_is_400()
    {
        var bytes = WheelBytes("liar", "1.0", metadataName: "somebody-else");

        using var response = await _server.UploadAsync(Form(bytes, "liar-1.0-py3-none-any.whl", "liar", "1.0"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_server.PublicFiles());
    }

    [Fact]
    public async Task Wheel_with_a_member_expanding_to_2_GB_is_400()
    {
        var bytes = await ZipBomb.WheelAsync("bomb", "1.0");

        using var response = await _server.UploadAsync(Form(bytes, "bomb-1.0-py3-none-any.whl", "bomb", "1.0"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_server.PublicFiles());
        Assert.Empty(_server.TempFiles());
    }

    [Fact]
    public async Task Body_that_is_not_multipart_is_400()
    {
        using var response = await _server.UploadAsync(new StringContent("name=x&version=1"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("multipart/form-data", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Truncated_multipart_body_is_400_and_leaves_no_temp_file()
    {
        var content = new ByteArrayContent("--b\r\nContent-Disposition: form-data; name=\":action\"\r\n\r\nfile_upload\r\n--b\r\nContent-Disposition: form-data; name=\"content\"; filename=\"t-1.0-py3-none-any.whl\"\r\n\r\nPK..."u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=b");

        using var response = await _server.UploadAsync(content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_server.TempFiles());
    }

    [Fact]
    public async Task Oversize_content_length_is_413_before_the_body_is_read()
    {
        var bytes = new byte[24 * 1024 * 1024];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/legacy/") { Content = Form(bytes, "huge-1.0-py3-none-any.whl", "huge", "1.0") };
        request.Headers.Authorization = Basic("alice", Password);
        request.Headers.ExpectContinue = true; // the answer comes before a byte of the body is sent

        using var response = await _server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(_server.PublicFiles());
        Assert.Empty(_server.TempFiles());
    }

    [Fact]
    public async Task Oversize_file_in_a_chunked_body_is_413_and_leaves_no_temp_file()
    {
        var form = Form(new byte[18 * 1024 * 1024], "huge-1.0-py3-none-any.whl", "huge", "1.0");
        var chunked = new StreamContent(await form.ReadAsStreamAsync()); // no Content-Length: sent chunked
        chunked.Headers.ContentType = form.Headers.ContentType;

        using var response = await _server.UploadAsync(chunked);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(_server.PublicFiles());
        Assert.Empty(_server.TempFiles());
    }

    [Fact]
    public async Task Deleted_filename_cannot_be_uploaded_again()
    {
        var tombstones = _server.Services.GetRequiredService<IDeletedFiles>();
        await tombstones.AddAsync([new DeletedFile("gone-1.0-py3-none-any.whl", Packaging.ProjectName.Normalize("gone"), "alice", DateTimeOffset.UtcNow, "broken")], CancellationToken.None);

        using var response = await _server.UploadWheelAsync("gone", "1.0");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("cannot be reused", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Eight_clients_uploading_one_filename_at_once_leave_exactly_one_winner()
    {
        var wheels = Enumerable.Range(0, 8).Select(i => WheelBytes("race", "1.0", payload: "client " + i)).ToArray();

        var responses = await Task.WhenAll(wheels.Select(async w =>
        {
            using var r = await _server.UploadAsync(Form(w, "race-1.0-py3-none-any.whl", "race", "1.0"));
            return r.StatusCode;
        }));

        Assert.Single(responses, s => s == HttpStatusCode.OK);
        Assert.Equal(7, responses.Count(s => s == HttpStatusCode.Conflict));
        var winner = wheels[Array.IndexOf(responses, HttpStatusCode.OK)];
        var stored = await _server.ReadStoredAsync("race/race-1.0-py3-none-any.whl");
        Assert.Equal(winner, stored);
        var listed = await Catalog.FindFileAsync("race-1.0-py3-none-any.whl", CancellationToken.None);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(winner)), listed!.Sha256);
        Assert.Empty(_server.TempFiles());
    }

    [Fact]
    public async Task Eight_clients_uploading_identical_bytes_at_once_all_get_200()
    {
        var bytes = WheelBytes("samerace", "1.0");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var r = await _server.UploadAsync(Form(bytes, "samerace-1.0-py3-none-any.whl", "samerace", "1.0"));
            return r.StatusCode;
        }));

        Assert.All(responses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(["samerace/samerace-1.0-py3-none-any.whl"], _server.PublicFiles());
    }

    [FolderFact("the folder indexer")]
    public async Task Folder_indexer_keeps_an_uploaded_file_without_rehashing_it()
    {
        using var response = await _server.UploadWheelAsync("indexed", "1.0");
        var indexer = _server.Services.GetRequiredService<global::Clutch.Storage.Folder.FolderIndexer>();

        var result = await indexer.ScanAsync(null, CancellationToken.None);

        Assert.Equal(0, result.Indexed);
        Assert.Equal(1, result.Unchanged);
        Assert.Equal("alice", (await Catalog.FindFileAsync("indexed-1.0-py3-none-any.whl", CancellationToken.None))!.Uploader);
    }
}
