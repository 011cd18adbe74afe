using Clutch.Files;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

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

    private static async Task<(int Status, byte[] Body, HttpContext Context)> ExecuteAsync(string path, long listedLength, string method = "GET")
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Request.Method = method;
        context.Request.Path = "/files/x.whl";
        var body = new MemoryStream();
        context.Response.Body = body;
        await new SmallFileResult(path, listedLength, "application/zip", "\"abc\"", DateTimeOffset.UnixEpoch).ExecuteAsync(context);
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
        Assert.Equal("\"abc\"", context.Response.Headers.ETag.ToString());
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
        Assert.DoesNotContain("\"abc\"", context.Response.Headers.ETag.ToString());
        Assert.StartsWith("File ", System.Text.Encoding.UTF8.GetString(body));
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
}
