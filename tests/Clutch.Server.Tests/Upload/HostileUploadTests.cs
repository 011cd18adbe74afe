using System.Net;
using Clutch.Server.Tests.Harness;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Upload;

/// <summary>
/// An upload pip could not install, or that tools would read differently, is a 400 whose one-line
/// reason says why, and leaves nothing behind: no file, no listing, no temp file.
/// </summary>
public sealed class HostileUploadTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync(configure: o => o.MaxUploadBytes = 16 * 1024 * 1024);
        await _server.AddUserAsync("alice");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string> Cases => new(HostileDistributions.All.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Hostile_upload_is_400_with_the_reason_and_stores_nothing(string name)
    {
        var hostile = HostileDistributions.Get(name);

        using var response = await _server.UploadAsync(Form(hostile.Bytes, hostile.Filename, hostile.Project, "1.0", hostile.Filetype));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains(hostile.Reason, body, StringComparison.Ordinal);
        Assert.Contains(hostile.Filename, body, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', body.TrimEnd('\n'));
        Assert.Contains(hostile.Reason, response.ReasonPhrase, StringComparison.Ordinal);
        Assert.Empty(_server.PublicFiles());
        Assert.Empty(_server.TempFiles());
        using var page = await _server.Client.GetAsync($"/simple/{hostile.Project}/");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
    }
}
