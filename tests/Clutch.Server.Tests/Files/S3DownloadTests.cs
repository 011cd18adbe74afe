using System.Net;
using System.Net.Http.Headers;
using Amazon.S3;
using Amazon.S3.Model;
using Clutch.Server.Tests.Harness;
using Clutch.Tests.Shared;
using static Clutch.Server.Tests.Harness.UploadHarness;

namespace Clutch.Server.Tests.Files;

/// <summary>
/// Downloads streamed from S3 through a node: ranges of a large file, small files held in memory
/// after their first download (and checked against the listed sha256 before that), and an object
/// changed behind the node's back.
/// </summary>
public sealed class S3DownloadTests : IAsyncLifetime
{
    private readonly string _bucket = "clutch-dl-" + Guid.NewGuid().ToString("N")[..12];
    private TcpRelay _relay = null!;
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        if (TestServices.S3 is null)
        {
            return; // every test here is an [S3Fact], skipped saying why
        }

        _relay = new TcpRelay(new Uri(TestServices.RequireS3()));
        _server = await InProcessServer.StartAsync(configure: o =>
        {
            o.Catalog = Path.Combine(o.Root, "catalog.db");
            o.Blobs = $"s3://{_bucket}/packages";
            o.S3Endpoint = _relay.Url.ToString();
            o.StateDir = Path.Combine(o.Root, "node");
        });
        await _server.AddUserAsync("alice");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            await _relay.DisposeAsync();
        }
    }

    [S3Fact]
    public async Task A_range_of_a_large_file_is_206_with_exactly_those_bytes()
    {
        var noise = new byte[200_000];
        Random.Shared.NextBytes(noise);
        var wheel = WheelBytes("ranged", "1.0", payload: Convert.ToBase64String(noise));
        Assert.True(wheel.Length > 64 * 1024, $"the wheel is {wheel.Length} bytes; the test wants one past the small-file path");
        using (var upload = await _server.UploadAsync(Form(wheel, "ranged-1.0-py3-none-any.whl", "ranged", "1.0")))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        }

        foreach (var (from, to) in new (long?, long?)[] { (1000, 1999), (wheel.Length - 10, null), (null, 22), (70_000, 140_000) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/files/ranged/ranged-1.0-py3-none-any.whl");
            request.Headers.Range = new RangeHeaderValue(from, to);
            using var response = await _server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            var start = from ?? wheel.Length - to!.Value;
            var end = from is null ? wheel.Length - 1 : to ?? wheel.Length - 1;
            Assert.Equal(wheel[(int)start..(int)(end + 1)], await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(wheel.Length, response.Content.Headers.ContentRange!.Length);
        }

        Assert.Equal(wheel, await _server.Client.GetByteArrayAsync("/files/ranged/ranged-1.0-py3-none-any.whl"));
    }

    [S3Fact]
    public async Task A_small_file_downloaded_once_is_served_while_S3_is_unreachable()
    {
        var wheel = WheelBytes("held", "1.0");
        using (var upload = await _server.UploadAsync(Form(wheel, "held-1.0-py3-none-any.whl", "held", "1.0")))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        }

        Assert.Equal(wheel, await _server.Client.GetByteArrayAsync("/files/held/held-1.0-py3-none-any.whl"));
        _relay.Cut();
        try
        {
            using var again = await _server.Client.GetAsync("/files/held/held-1.0-py3-none-any.whl");
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(wheel, await again.Content.ReadAsByteArrayAsync());

            // Not downloaded before: the node has to ask S3, which is away.
            var other = WheelBytes("never-read", "1.0");
            _relay.Restore();
            using (var upload = await _server.UploadAsync(Form(other, "never_read-1.0-py3-none-any.whl", "never-read", "1.0")))
            {
                Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
            }

            _relay.Cut();
            using var unread = await _server.Client.GetAsync("/files/never-read/never_read-1.0-py3-none-any.whl");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unread.StatusCode);
            Assert.NotNull(unread.Headers.RetryAfter);
        }
        finally
        {
            _relay.Restore();
        }
    }

    [S3Fact]
    public async Task A_small_object_changed_behind_the_nodes_back_is_503_and_its_bytes_are_never_sent()
    {
        var wheel = WheelBytes("swapped", "1.0");
        using (var upload = await _server.UploadAsync(Form(wheel, "swapped-1.0-py3-none-any.whl", "swapped", "1.0")))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        }

        // Same length, other bytes, written straight into the bucket (a restore gone wrong, a hand edit).
        var other = (byte[])wheel.Clone();
        other[^1] ^= 0xff;
        using (var s3 = new AmazonS3Client(new AmazonS3Config { ServiceURL = TestServices.RequireS3(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" }))
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = "packages/swapped/swapped-1.0-py3-none-any.whl", InputStream = new MemoryStream(other) });
        }

        for (var i = 0; i < 2; i++)
        {
            using var response = await _server.Client.GetAsync("/files/swapped/swapped-1.0-py3-none-any.whl");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
            Assert.Equal("File 'swapped/swapped-1.0-py3-none-any.whl' in the blob store does not match the listing; it is not served.\n", body);
            Assert.NotNull(response.Headers.RetryAfter);
        }
    }
}
