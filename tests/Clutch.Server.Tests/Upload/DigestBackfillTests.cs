using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Clutch.Server.Tests.Harness;
using Clutch.Storage;
using Clutch.Upload;
using Microsoft.Extensions.DependencyInjection;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Upload;

/// <summary>
/// An upload computes sha256 and the digests its client sent while the file streams in; md5 and
/// blake2b-256 the client did not send are filled in after the upload is stored.
/// </summary>
public sealed class DigestBackfillTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync();
        await _server.AddUserAsync("alice");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ICatalog Catalog => _server.Services.GetRequiredService<ICatalog>();

#pragma warning disable CA5351 // md5 is what the index publishes for legacy clients.
    private static string Md5(byte[] bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));
#pragma warning restore CA5351

    private async Task<CatalogFile> WaitForDigestsAsync(string filename)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var file = await Catalog.FindFileAsync(filename, CancellationToken.None);
            if (file is { Md5.Length: > 0, Blake2b256.Length: > 0 } || DateTime.UtcNow > deadline)
            {
                return file!;
            }

            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task An_upload_with_sha256_only_gets_its_md5_and_blake2b_filled_in_and_published()
    {
        var bytes = WheelBytes("shaonly", "1.0", payload: "a");
        var form = Form(bytes, "shaonly-1.0-py3-none-any.whl", "shaonly", "1.0", edit: new Dictionary<string, string?> { ["md5_digest"] = null, ["blake2_256_digest"] = null });

        using var response = await _server.UploadAsync(form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("shaonly-1.0-py3-none-any.whl#sha256=" + Convert.ToHexStringLower(SHA256.HashData(bytes)), await _server.Client.GetStringAsync("/simple/shaonly/"));

        var file = await WaitForDigestsAsync("shaonly-1.0-py3-none-any.whl");
        Assert.Equal(Md5(bytes), file.Md5);
        Assert.Equal(Blake2b256(bytes), file.Blake2b256);

        // The JSON API publishes them once filled in (the change drops the cached rows).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        JsonElement digests;
        do
        {
            using var doc = JsonDocument.Parse(await _server.Client.GetStringAsync("/pypi/shaonly/json"));
            digests = doc.RootElement.GetProperty("urls")[0].GetProperty("digests").Clone();
        }
        while (!digests.TryGetProperty("md5", out _) && DateTime.UtcNow < deadline && await Task.Delay(50).ContinueWith(_ => true));

        Assert.Equal(Md5(bytes), digests.GetProperty("md5").GetString());
        Assert.Equal(Blake2b256(bytes), digests.GetProperty("blake2b_256").GetString());
    }

    [Theory]
    [InlineData("md5_digest")]
    [InlineData("blake2_256_digest")]
    public async Task A_digest_sent_after_the_file_is_still_checked_before_the_upload_is_accepted(string field)
    {
        var bytes = WheelBytes("latedigest", "1.0", payload: field);
        var right = field == "md5_digest" ? Md5(bytes) : Blake2b256(bytes);

        using var wrong = await _server.UploadAsync(FileFirst(bytes, field, new string('0', right.Length)));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains(field, await wrong.Content.ReadAsStringAsync());
        Assert.Null(await Catalog.FindFileAsync("latedigest-1.0-py3-none-any.whl", CancellationToken.None));
        Assert.Empty(_server.TempFiles());

        using var ok = await _server.UploadAsync(FileFirst(bytes, field, right));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Files_left_without_digests_are_filled_in_once_and_picked_up_at_the_next_start()
    {
        var bytes = WheelBytes("leftover", "1.0");
        // All three digests sent, as twine does: complete at once, nothing queued that could race the steps below.
        using (var response = await _server.UploadAsync(Form(bytes, "leftover-1.0-py3-none-any.whl", "leftover", "1.0")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // What a stop between the upload and its backfill leaves behind.
        var stored = await Catalog.FindFileAsync("leftover-1.0-py3-none-any.whl", CancellationToken.None);
        Assert.Equal(Blake2b256(bytes), stored!.Blake2b256);
        await Catalog.UpsertFilesAsync([stored! with { Md5 = "", Blake2b256 = "" }], CancellationToken.None);
        Assert.Equal(["leftover/leftover-1.0-py3-none-any.whl"], await Catalog.GetPathsMissingDigestsAsync(CancellationToken.None));

        var backfill = _server.Services.GetRequiredService<DigestBackfill>();
        Assert.True(await backfill.FillAsync(stored.Path, CancellationToken.None));
        Assert.False(await backfill.FillAsync(stored.Path, CancellationToken.None));
        Assert.Equal(Md5(bytes), (await Catalog.FindFileAsync("leftover-1.0-py3-none-any.whl", CancellationToken.None))!.Md5);

        await Catalog.UpsertFilesAsync([stored with { Md5 = "", Blake2b256 = "" }], CancellationToken.None);
        _server = await _server.RestartAsync();

        var file = await WaitForDigestsAsync("leftover-1.0-py3-none-any.whl");
        Assert.Equal(Md5(bytes), file.Md5);
        Assert.Equal(Blake2b256(bytes), file.Blake2b256);
        Assert.Empty(await Catalog.GetPathsMissingDigestsAsync(CancellationToken.None));
    }

    /// <summary>The content part first, then the fields: the digest arrives after the file.</summary>
    private static MultipartFormDataContent FileFirst(byte[] bytes, string field, string digest)
    {
        var content = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(file, "content", "latedigest-1.0-py3-none-any.whl");
        content.Add(new StringContent("file_upload"), ":action");
        content.Add(new StringContent("latedigest"), "name");
        content.Add(new StringContent("1.0"), "version");
        content.Add(new StringContent("bdist_wheel"), "filetype");
        content.Add(new StringContent(digest), field);
        return content;
    }
}
