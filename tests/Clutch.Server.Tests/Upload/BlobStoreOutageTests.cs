using System.Net;
using Clutch.Hosting;
using Clutch.Server.Tests.Harness;
using Clutch.Storage;
using Clutch.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Upload;

/// <summary>
/// The S3 endpoint becomes unreachable while a node runs (issue 17): an upload is 503 with
/// Retry-After and nothing of it is stored or listed, /health/ready says which store is down, and
/// once S3 is back the same upload succeeds, without restarting the node.
/// </summary>
public sealed class BlobStoreOutageTests
{
    [S3Fact]
    public async Task An_upload_while_S3_is_unreachable_is_503_keeps_nothing_and_succeeds_once_it_is_back()
    {
        await using var relay = new TcpRelay(new Uri(TestServices.RequireS3()));
        var bucket = "clutch-outage-" + Guid.NewGuid().ToString("N")[..12];
        await using var server = await InProcessServer.StartAsync(configure: o =>
        {
            o.Catalog = Path.Combine(o.Root, "catalog.db");
            o.Blobs = $"s3://{bucket}/packages";
            o.S3Endpoint = relay.Url.ToString();
            o.StateDir = Path.Combine(o.Root, "node");
        });
        await server.AddUserAsync("alice");
        using (var before = await server.UploadWheelAsync("steady", "1.0"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        relay.Cut();
        using (var during = await server.UploadWheelAsync("outage", "1.0"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
            Assert.NotNull(during.Headers.RetryAfter);
            Assert.Contains("Storage unavailable", await during.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Null(await server.Services.GetRequiredService<ICatalog>().FindFileAsync("outage-1.0-py3-none-any.whl", CancellationToken.None));
        Assert.Empty(server.TempFiles());
        using (var ready = await server.Client.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("blob store", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var page = await server.Client.GetAsync("/simple/steady/"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode); // the catalog still answers
        }

        relay.Restore();
        await server.WaitUntilReadyAsync();
        using (var after = await server.UploadWheelAsync("outage", "1.0"))
        {
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        }

        var options = server.Services.GetRequiredService<ClutchOptions>();
        Assert.Contains("outage/outage-1.0-py3-none-any.whl", TestStores.ListBlobs(options));
    }
}
