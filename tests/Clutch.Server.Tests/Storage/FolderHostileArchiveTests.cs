using System.Net;
using Clutch.Server.Tests.Harness;

namespace Clutch.Server.Tests.Storage;

/// <summary>
/// A hostile archive dropped into the folder is still listed (the operator put it there), but
/// without PEP 658 metadata, with one warning that names the file and the reason.
/// </summary>
public sealed class FolderHostileArchiveTests : IDisposable
{
    private readonly IndexedFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string> Cases => new(HostileDistributions.All.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Hostile_archive_dropped_is_listed_without_metadata_and_one_warning(string name)
    {
        var hostile = HostileDistributions.Get(name);
        _folder.Drop(hostile.Filename, hostile.Bytes);

        await _folder.Indexer.ScanAsync(null, CancellationToken.None);
        await _folder.Indexer.ScanAsync(null, CancellationToken.None);

        var file = await _folder.Catalog.FindFileAsync(hostile.Filename, CancellationToken.None);
        Assert.NotNull(file);
        Assert.Null(file.MetadataSha256);
        Assert.Null(file.RequiresPython);
        var warning = Assert.Single(_folder.Log.Warnings);
        Assert.Contains(hostile.Filename, warning, StringComparison.Ordinal);
        Assert.Contains(hostile.Reason, warning, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', warning);
    }

    [Fact]
    public async Task A_dropped_wheel_with_a_bad_crc_is_served_without_data_core_metadata()
    {
        var hostile = HostileDistributions.Get("bad CRC-32, 3 MB");
        await using var server = await InProcessServer.StartAsync(seed: root => File.WriteAllBytes(Path.Combine(root, hostile.Filename), hostile.Bytes));

        var page = await server.Client.GetStringAsync($"/simple/{hostile.Project}/");

        Assert.Contains(hostile.Filename, page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-core-metadata", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-dist-info-metadata", page, StringComparison.Ordinal);
        using var metadata = await server.Client.GetAsync($"/files/{hostile.Filename}.metadata");
        Assert.Equal(HttpStatusCode.NotFound, metadata.StatusCode);
        using var bytes = await server.Client.GetAsync($"/files/{hostile.Filename}");
        Assert.Equal(HttpStatusCode.OK, bytes.StatusCode);
    }
}
