using Clutch.Files;
using Clutch.Hosting;
using Clutch.Packaging;
using Clutch.Storage;
using Clutch.Storage.Folder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Clutch.Server.Tests.Files;

/// <summary>
/// The small-file download reads without a separate stat, so it must notice by itself a file that
/// changed on disk and is not yet re-indexed. Driven directly: a running server's watcher would
/// re-index the file before a request could catch it.
/// </summary>
public sealed class SmallFileResultTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clutch-small-file-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string Sha = new('a', 64);

    private static FileDownload Listed(long size, FileIdentity identity = default) => new(new CatalogFile
    {
        Path = "x/x-1.0-py3-none-any.whl",
        Filename = "x-1.0-py3-none-any.whl",
        Project = ProjectName.Normalize("x"),
        Version = "1.0",
        Type = DistributionType.Wheel,
        Sha256 = Sha,
        Md5 = "",
        Blake2b256 = "",
        Size = size,
        UploadTime = DateTimeOffset.UnixEpoch,
        SourceIdentity = identity,
    });

    /// <summary>The listing of the file at <paramref name="path"/> as the indexer records it (size, inode, ctime).</summary>
    private static FileDownload ListedAsIndexed(string path) => FileStat.Of(path) is { } status
        ? Listed(status.Size, status.Identity)
        : throw new FileNotFoundException(path);

    private static async Task<(int Status, byte[] Body, HttpContext Context)> ExecuteAsync(
        string path, long listedLength, string method = "GET", FileDownload? file = null, int cacheMegabytes = 1, StaleFiles? stale = null)
    {
        file ??= Listed(listedLength);
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Request.Method = method;
        context.Request.Path = "/files/x.whl";
        var body = new MemoryStream();
        context.Response.Body = body;
        var cache = new SmallFileCache(new ClutchOptions { FileCacheMegabytes = cacheMegabytes });
        stale ??= new StaleFiles(new IndexerHints(), NullLogger<StaleFiles>.Instance);
        await new SmallFileResult(path, file, file.Cached, "application/zip", cache, stale, "x/x-1.0-py3-none-any.whl").ExecuteAsync(context);
        return (context.Response.StatusCode, body.ToArray(), context);
    }

    [Fact]
    public async Task A_file_of_the_listed_length_is_sent_whole_with_its_headers()
    {
        var path = Path.Combine(_dir, "a.whl");
        var bytes = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        await File.WriteAllBytesAsync(path, bytes);

        var (status, body, context) = await ExecuteAsync(path, bytes.Length);
        Assert.Equal(200, status);
        Assert.Equal(bytes, body);
        Assert.Equal(bytes.Length, context.Response.ContentLength);
        Assert.Equal("\"" + Sha + "\"", context.Response.Headers.ETag.ToString());
        Assert.Equal("application/zip", context.Response.ContentType);
    }

    [Theory]
    [InlineData(4999)] // grown on disk by one byte since it was listed
    [InlineData(5001)] // shrunk
    public async Task A_file_whose_length_changed_since_it_was_listed_gets_503_and_no_bytes(long listed)
    {
        var path = Path.Combine(_dir, "b.whl");
        await File.WriteAllBytesAsync(path, new byte[5000]);

        var (status, body, context) = await ExecuteAsync(path, listed);
        Assert.Equal(503, status);
        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal("no-store", context.Response.Headers.CacheControl.ToString());
        Assert.DoesNotContain(Sha, context.Response.Headers.ETag.ToString());
        Assert.StartsWith("File ", System.Text.Encoding.UTF8.GetString(body));
    }

    [Theory]
    [InlineData("GET", false)]
    [InlineData("GET", true)]
    [InlineData("HEAD", false)]
    public async Task A_file_replaced_by_other_bytes_of_the_listed_size_and_mtime_gets_503_and_no_bytes(string method, bool byMove)
    {
        var path = Path.Combine(_dir, "r.whl");
        var bytes = Enumerable.Range(0, 4000).Select(i => (byte)i).ToArray();
        await File.WriteAllBytesAsync(path, bytes);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));
        var file = ListedAsIndexed(path);
        var mtime = File.GetLastWriteTimeUtc(path);

        bytes[^1] ^= 0xff; // what cp -p or touch -r leave: same size, same mtime, other bytes
        var written = byMove ? path + ".new" : path;
        await File.WriteAllBytesAsync(written, bytes);
        File.SetLastWriteTimeUtc(written, mtime);
        if (byMove)
        {
            File.Move(written, path, overwrite: true);
        }

        var hints = new IndexerHints();
        var (status, body, context) = await ExecuteAsync(path, 4000, method, file, stale: new StaleFiles(hints, NullLogger<StaleFiles>.Instance));
        Assert.Equal(503, status);
        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
        Assert.StartsWith("File ", System.Text.Encoding.UTF8.GetString(body));
        Assert.False(file.HoldsBytes);
        Assert.True(hints.Rechecks.TryRead(out var recheck)); // the indexer is asked to look again
        Assert.Equal("x/x-1.0-py3-none-any.whl", recheck);
    }

    [Fact]
    public async Task A_listed_file_the_server_cannot_read_gets_503_one_line_and_one_log_line_however_often_asked()
    {
        var path = Path.Combine(_dir, "dir.whl");
        Directory.CreateDirectory(path); // a folder where the listed file was: open fails with EISDIR
        var log = new Clutch.Server.Tests.Storage.ListLogger<StaleFiles>();
        var hints = new IndexerHints();
        var stale = new StaleFiles(hints, log);

        for (var i = 0; i < 5; i++)
        {
            var (status, body, _) = await ExecuteAsync(path, 10, stale: stale);
            Assert.Equal(503, status);
            var text = System.Text.Encoding.UTF8.GetString(body);
            Assert.Equal(1, text.Count(c => c == '\n'));
            Assert.DoesNotContain(_dir, text, StringComparison.Ordinal);
        }

        Assert.Single(log.Entries);
        Assert.True(hints.Rechecks.TryRead(out _));
        Assert.False(hints.Rechecks.TryRead(out _));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    public async Task A_file_removed_since_it_was_listed_gets_503(string method)
    {
        var (status, _, _) = await ExecuteAsync(Path.Combine(_dir, "gone.whl"), 10, method);
        Assert.Equal(503, status);
    }

    [Fact]
    public async Task Head_checks_the_length_and_sends_no_body()
    {
        var path = Path.Combine(_dir, "c.whl");
        await File.WriteAllBytesAsync(path, new byte[300]);
        var (ok, okBody, okContext) = await ExecuteAsync(path, 300, "HEAD");
        Assert.Equal(200, ok);
        Assert.Empty(okBody);
        Assert.Equal(300, okContext.Response.ContentLength);
        var (changed, _, _) = await ExecuteAsync(path, 200, "HEAD");
        Assert.Equal(503, changed);
    }

    [Fact]
    public async Task Bytes_read_once_are_answered_from_memory_with_the_same_headers()
    {
        var path = Path.Combine(_dir, "d.whl");
        var bytes = Enumerable.Range(0, 3000).Select(i => (byte)(i * 7)).ToArray();
        await File.WriteAllBytesAsync(path, bytes);
        var file = Listed(bytes.Length);

        var (first, firstBody, firstContext) = await ExecuteAsync(path, bytes.Length, file: file);
        Assert.Equal(200, first);
        Assert.True(file.HoldsBytes);

        // The held bytes are the listed ones: later answers come from memory, not from the folder.
        File.Delete(path);
        var (second, secondBody, secondContext) = await ExecuteAsync(path, bytes.Length, file: file);
        Assert.Equal(200, second);
        Assert.Equal(firstBody, secondBody);
        Assert.Equal(bytes, secondBody);
        Assert.Equal(firstContext.Response.Headers.ETag, secondContext.Response.Headers.ETag);
        Assert.Equal(firstContext.Response.Headers.LastModified, secondContext.Response.Headers.LastModified);
        Assert.Equal(bytes.Length, secondContext.Response.ContentLength);
    }

    [Fact]
    public async Task With_no_memory_for_files_nothing_is_held()
    {
        var path = Path.Combine(_dir, "e.whl");
        await File.WriteAllBytesAsync(path, new byte[100]);
        var file = Listed(100);

        var (status, _, _) = await ExecuteAsync(path, 100, file: file, cacheMegabytes: 0);
        Assert.Equal(200, status);
        Assert.False(file.HoldsBytes);
    }
}
