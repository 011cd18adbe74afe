using System.Net;
using System.Net.Sockets;
using Amazon.S3;
using Amazon.S3.Model;
using Clutch.Server.Tests.Harness;
using Clutch.Storage;
using Clutch.Storage.S3;

namespace Clutch.Server.Tests.Storage.Contracts;

/// <summary>
/// A fresh bucket on the test S3 endpoint for one test class, emptied and removed afterwards; each
/// test works under its own key prefix in it. Nothing happens when the endpoint is missing (the
/// tests are skipped then).
/// </summary>
public sealed class S3Bucket : IAsyncLifetime
{
    public string Name { get; } = "clutch-test-" + Guid.NewGuid().ToString("N")[..12];

    public AmazonS3Client? Client { get; private set; }

    /// <summary>Options for a store on this bucket under a prefix of its own.</summary>
    public S3BlobStoreOptions Options(string? prefix = null) => new()
    {
        Bucket = Name,
        Prefix = (prefix ?? "t-" + Guid.NewGuid().ToString("N")[..8]) + "/",
        ServiceUrl = new Uri(TestServices.RequireS3()),
    };

    public async Task InitializeAsync()
    {
        if (TestServices.S3 is null)
        {
            return;
        }

        Client = S3BlobStore.CreateClient(Options());
        await Client.PutBucketAsync(new PutBucketRequest { BucketName = Name });
    }

    public async Task DisposeAsync()
    {
        if (Client is null)
        {
            return;
        }

        foreach (var upload in (await Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Name })).MultipartUploads ?? [])
        {
            await Client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Name, Key = upload.Key, UploadId = upload.UploadId });
        }

        var objects = await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Name });
        foreach (var item in objects.S3Objects ?? [])
        {
            await Client.DeleteObjectAsync(Name, item.Key);
        }

        await Client.DeleteBucketAsync(Name);
        Client.Dispose();
    }
}

/// <summary>The blob store contract on S3 (moto in the tests), and what only S3 does: redirects, unreachable endpoints.</summary>
[Collection(BlobStoreCollection.Name)]
[NeedsService(TestService.S3)]
public sealed class S3BlobStoreContractTests(S3Bucket bucket) : BlobStoreContract, IClassFixture<S3Bucket>
{
    private const int PartSize = 8 * 1024 * 1024;
    private readonly TempFolder _local = new();
    private readonly S3BlobStoreOptions _options = TestServices.S3 is null ? null! : bucket.Options();

    protected override bool StagedBlobsWaitForPublish => false;

    // Two part buffers, and slack for the SDK's and the HTTP stack's own (small, per-request) buffers: well under the 40 MB blob.
    protected override long LargeTransferAllocationBound => (3L * PartSize) + (6L * 1024 * 1024);

    protected override string LocalFolder => _local.Path;

    protected override IBlobStore CreateStore() => new S3BlobStore(_options with { PartSize = PartSize });

    protected override async Task AssertNoUnfinishedWritesAsync()
    {
        var uploads = await bucket.Client!.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket.Name, Prefix = _options.Prefix });
        Assert.Empty(uploads.MultipartUploads ?? []);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _local.Dispose();
    }

    [ContractFact]
    public async Task Blobs_are_objects_under_the_prefix_carrying_their_sha256()
    {
        await Store.PutAsync("foo/foo-1.0.tar.gz", Bytes("hello"), Sha("hello"), Ct);

        var head = await bucket.Client!.GetObjectMetadataAsync(bucket.Name, _options.Prefix + "foo/foo-1.0.tar.gz");
        Assert.Equal(Sha("hello"), head.Metadata["x-amz-meta-sha256"]);
        Assert.Equal(5, head.ContentLength);
    }

    [ContractFact]
    public async Task The_endpoint_refuses_a_conditional_write_on_a_taken_key()
    {
        // What the store's create-only writes rest on; if the endpoint ignored If-None-Match, the second PUT would replace the first.
        var key = _options.Prefix + "conditional.whl";
        await bucket.Client!.PutObjectAsync(new PutObjectRequest { BucketName = bucket.Name, Key = key, ContentBody = "first", IfNoneMatch = "*" });

        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() => bucket.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket.Name, Key = key, ContentBody = "second", IfNoneMatch = "*" }));

        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal("first", await ReadTextAsync("conditional.whl"));
    }

    [ContractFact]
    public async Task An_object_put_without_a_sha256_is_compared_by_its_bytes()
    {
        // Copied in by hand (or by another tool): no x-amz-meta-sha256.
        await bucket.Client!.PutObjectAsync(new PutObjectRequest { BucketName = bucket.Name, Key = _options.Prefix + "by-hand.whl", ContentBody = "manual" });

        Assert.Equal(BlobPutResult.SameBytes, await Store.PutAsync("by-hand.whl", Bytes("manual"), Sha("manual"), Ct));
        Assert.Equal(BlobPutResult.Conflict, await Store.PutAsync("by-hand.whl", Bytes("other"), Sha("other"), Ct));
    }

    [ContractFact]
    public void Downloads_stream_through_the_node_unless_redirects_are_on()
    {
        Assert.Equal(BlobDownloadKind.Stream, Store.GetDownload("a.whl").Kind);
    }

    [ContractFact]
    public async Task A_redirect_is_a_presigned_url_that_works_without_credentials_for_the_configured_lifetime()
    {
        using var store = new S3BlobStore(_options with { RedirectDownloads = true, RedirectLifetime = TimeSpan.FromSeconds(90) });
        await store.PutAsync("r/redirected.whl", Bytes("through S3"), Sha("through S3"), Ct);

        var download = store.GetDownload("r/redirected.whl");

        Assert.Equal(BlobDownloadKind.Redirect, download.Kind);
        var url = download.Location!;
        Assert.Equal(new Uri(TestServices.RequireS3()).Authority, url.Authority);
        using var http = new HttpClient();
        Assert.Equal("through S3", await http.GetStringAsync(url));

        // S3 refuses the URL once X-Amz-Date + X-Amz-Expires has passed. moto 5.2.1 checks neither
        // expiry nor signature of presigned URLs, so the test reads the expiry from the URL itself.
        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        Assert.InRange(int.Parse(query["X-Amz-Expires"]!), 90, 91); // the SDK rounds up from the second it signs at
        var signedAt = DateTimeOffset.ParseExact(query["X-Amz-Date"]!, "yyyyMMdd'T'HHmmss'Z'", null, System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.InRange(signedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.False(string.IsNullOrEmpty(query["X-Amz-Signature"]));

        using var byDefault = new S3BlobStore(_options with { RedirectDownloads = true });
        Assert.InRange(int.Parse(System.Web.HttpUtility.ParseQueryString(byDefault.GetDownload("r/redirected.whl").Location!.Query)["X-Amz-Expires"]!), 300, 301);
    }

    [ContractFact]
    public async Task A_closed_port_checks_unhealthy_with_the_reason()
    {
        using var store = new S3BlobStore(_options with { ServiceUrl = ClosedPort(), CheckTimeout = TimeSpan.FromSeconds(10) });

        var reason = await store.CheckAsync(Ct);

        Assert.NotNull(reason);
        Assert.Contains("cannot be reached", reason, StringComparison.Ordinal);
        Assert.Contains(store.Description, reason, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task A_dead_endpoint_is_storage_unavailable_for_every_operation()
    {
        using var store = new S3BlobStore(_options with { ServiceUrl = ClosedPort() });

        await Assert.ThrowsAsync<StorageUnavailableException>(() => store.GetInfoAsync("a.whl", Ct));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => store.OpenReadAsync("a.whl", Ct));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => store.PutAsync("a.whl", Bytes("x"), Sha("x"), Ct));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => store.DeleteAsync("a.whl", Ct));
        var failure = await Assert.ThrowsAsync<StorageUnavailableException>(() => store.EnsureBucketAsync(Ct));
        Assert.Contains(store.Description, failure.Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task A_missing_bucket_is_created_once()
    {
        var name = "clutch-test-" + Guid.NewGuid().ToString("N")[..12];
        using var store = new S3BlobStore(_options with { Bucket = name });
        Assert.Contains("does not exist", await store.CheckAsync(Ct), StringComparison.Ordinal);

        await store.EnsureBucketAsync(Ct);
        await store.EnsureBucketAsync(Ct); // there already: nothing to do

        Assert.Null(await store.CheckAsync(Ct));
        await bucket.Client!.DeleteBucketAsync(name);
    }

    /// <summary>A loopback URL where nothing listens.</summary>
    private static Uri ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }
}
