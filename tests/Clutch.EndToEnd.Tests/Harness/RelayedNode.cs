using System.Diagnostics;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Clutch.Tests.Shared;

namespace Clutch.EndToEnd.Tests.Harness;

/// <summary>
/// One node (<c>clutch serve</c> as a real process) on a fresh PostgreSQL database and a fresh S3
/// bucket, each reached through a <see cref="TcpRelay"/> that a test cuts and restores: a store
/// that goes away while the node runs, as a network outage would take it.
/// </summary>
public sealed class RelayedNode : IAsyncDisposable
{
    public const string User = "outage";
    public const string Password = "outage-password-1";

    private RelayedNode(TcpRelay postgres, TcpRelay s3, string bucket, ClusterNode node)
    {
        Postgres = postgres;
        S3 = s3;
        Bucket = bucket;
        Node = node;
    }

    /// <summary>The relay the node's catalog connections go through.</summary>
    public TcpRelay Postgres { get; }

    /// <summary>The relay the node's S3 requests go through.</summary>
    public TcpRelay S3 { get; }

    public string Bucket { get; }

    public ClusterNode Node { get; }

    /// <summary>Creates the database, starts the relays and the node, and adds the uploading user.</summary>
    public static async Task<RelayedNode> StartAsync()
    {
        var database = await ClusterServices.CreateDatabaseAsync("clutch_e2e_relay");
        var postgres = new TcpRelay(new Uri(ClusterServices.Postgres!));
        var s3 = new TcpRelay(new Uri(ClusterServices.S3!));
        var bucket = "clutch-relay-" + Guid.NewGuid().ToString("N")[..12];
        var catalog = new UriBuilder(database) { Port = postgres.Port }.Uri.ToString();
        var node = new ClusterNode(["--catalog", catalog, "--blobs", $"s3://{bucket}/packages", "--s3-endpoint", s3.Url.ToString()], []);
        var started = new RelayedNode(postgres, s3, bucket, node);
        try
        {
            await node.InitializeAsync();
            await node.AddUserAsync(User, Password);
            return started;
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }

    /// <summary>Polls <c>/health/ready</c> until it answers 200; false when it did not within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitUntilReadyAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using (var ready = await Node.HttpClient.GetAsync(Node.BaseUrl + "/health/ready"))
            {
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }

            if (clock.Elapsed >= timeout)
            {
                return false;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The bucket's object keys that end in <c>/</c><paramref name="filename"/>, read from S3 directly (not through the relay).</summary>
    public async Task<IReadOnlyList<string>> ObjectKeysOfAsync(string filename)
    {
        using var client = DirectClient();
        var listed = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket });
        return (listed.S3Objects ?? []).Select(o => o.Key).Where(k => k.EndsWith("/" + filename, StringComparison.Ordinal)).ToList();
    }

    /// <summary>Deletes an object from the bucket behind the node's back.</summary>
    public async Task DeleteObjectAsync(string key)
    {
        using var client = DirectClient();
        await client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = key });
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        await Postgres.DisposeAsync();
        await S3.DisposeAsync();
    }

    private static AmazonS3Client DirectClient() =>
        new(new AmazonS3Config { ServiceURL = ClusterServices.S3, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
}
