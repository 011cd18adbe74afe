using Clutch.Cli;
using Clutch.Hosting;
using Clutch.Migrate;
using Clutch.Storage.Postgres;
using Npgsql;

namespace Clutch.Server.Tests.Harness;

/// <summary>
/// Which stores the in-process servers of this run use: the folder and SQLite (default), or, with
/// <c>CLUTCH_TEST_STORES=postgres-s3</c> (scripts/test.sh runs the suite a second time so), a fresh
/// PostgreSQL database and S3 bucket per server. A folder seeded before the start is indexed by a
/// folder-mode node first and copied over by the migration, as an operator moving to PostgreSQL
/// and S3 would do.
/// </summary>
public static class TestStores
{
    public static bool ScaleOut => Environment.GetEnvironmentVariable("CLUTCH_TEST_STORES") == "postgres-s3";

    public static async Task UseScaleOutAsync(ClutchOptions options, bool seeded)
    {
        var database = "clutch_srv_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(PostgresUrl.ToConnectionString(TestServices.RequirePostgres())))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var target = new ClutchOptions
        {
            Catalog = new UriBuilder(TestServices.RequirePostgres()) { Path = "/" + database }.Uri.ToString().Replace("postgres://", "postgresql://", StringComparison.Ordinal),
            Blobs = $"s3://clutch-srv-{Guid.NewGuid():N}"[..40] + "/packages",
            S3Endpoint = TestServices.RequireS3(),
        };
        if (seeded)
        {
            await CopySeedAsync(options, target);
        }

        options.Catalog = target.Catalog;
        options.Blobs = target.Blobs;
        options.S3Endpoint = target.S3Endpoint;
        options.StateDir = Path.Combine(options.Root, ".node");
    }

    /// <summary>Another writer of the server's catalog, as another node or a CLI command would be.</summary>
    public static Clutch.Storage.Accounts.IAccountStore OtherWriter(ClutchOptions options) =>
        options.CatalogIsPostgres ? new PostgresCatalog(options.Catalog!) : new Clutch.Storage.Sqlite.SqliteCatalog(options.CatalogPath);

    /// <summary>Another instance of the server's catalog, as another node or a CLI command would open it.</summary>
    public static Clutch.Storage.ICatalog OtherCatalog(ClutchOptions options) =>
        options.CatalogIsPostgres ? new PostgresCatalog(options.Catalog!) : new Clutch.Storage.Sqlite.SqliteCatalog(options.CatalogPath);

    /// <summary>Every blob key in the S3 store of <paramref name="options"/>, relative to its prefix.</summary>
    public static IEnumerable<string> ListBlobs(ClutchOptions options)
    {
        var location = Clutch.Storage.S3.S3BlobStoreOptions.Parse(options.Blobs!, options.S3Endpoint);
        using var client = new Amazon.S3.AmazonS3Client(new Amazon.S3.AmazonS3Config { ServiceURL = options.S3Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = location.Bucket, Prefix = location.Prefix, ContinuationToken = token })
                .GetAwaiter().GetResult();
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key[location.Prefix.Length..]));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        return keys;
    }

    /// <summary>Indexes the seeded folder with a folder-mode node, then migrates it into the target stores.</summary>
    private static async Task CopySeedAsync(ClutchOptions folder, ClutchOptions target)
    {
        var indexing = new ClutchOptions { Root = folder.Root, Port = 0, ReconcileSeconds = 60, RuntimeTuning = false };
        var app = ClutchHost.Build(indexing);
        var address = await ClutchHost.StartAsync(app, CancellationToken.None);
        using (var client = new HttpClient { BaseAddress = new Uri(address) })
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!(await client.GetAsync("/health/ready")).IsSuccessStatusCode && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }

        await app.StopAsync();
        await app.DisposeAsync();

        await using var source = await StorageSession.OpenAsync(indexing, CancellationToken.None);
        await using var destination = await StorageSession.OpenAsync(target, CancellationToken.None);
        var report = await new Migrator(source, destination).RunAsync(null, CancellationToken.None);
        Assert.True(report.Failures.Count == 0, "seeding the scale-out stores failed: " + string.Join("; ", report.Failures));
    }
}

/// <summary>
/// A fact about the folder-and-SQLite stores themselves (files put into the folder by hand, the
/// folder indexer, the SQLite file): run only where the server's stores are those.
/// </summary>
public sealed class FolderFactAttribute : FactAttribute
{
    public FolderFactAttribute(string about = "the package folder")
    {
        if (TestStores.ScaleOut)
        {
            Skip = $"about {about}: this run stores the index in PostgreSQL and S3 (CLUTCH_TEST_STORES=postgres-s3)";
        }
    }
}

/// <summary>A theory about the folder-and-SQLite stores themselves; see <see cref="FolderFactAttribute"/>.</summary>
public sealed class FolderTheoryAttribute : TheoryAttribute
{
    public FolderTheoryAttribute(string about = "the package folder")
    {
        if (TestStores.ScaleOut)
        {
            Skip = $"about {about}: this run stores the index in PostgreSQL and S3 (CLUTCH_TEST_STORES=postgres-s3)";
        }
    }
}
