using System.Diagnostics;

namespace Clutch.EndToEnd.Tests.Harness;

/// <summary>
/// The real services a cluster runs on, as <c>scripts/test.sh</c> starts them: PostgreSQL
/// (<c>CLUTCH_TEST_PG</c>, restartable through <c>CLUTCH_TEST_PG_CTL</c>) and an S3 endpoint
/// (<c>CLUTCH_TEST_S3</c> with the AWS_* test credentials).
/// </summary>
public static class ClusterServices
{
    public static string? Postgres => Environment.GetEnvironmentVariable("CLUTCH_TEST_PG") is { Length: > 0 } v ? v : null;

    public static string? S3 => Environment.GetEnvironmentVariable("CLUTCH_TEST_S3") is { Length: > 0 } v ? v : null;

    public static string? PostgresControl => Environment.GetEnvironmentVariable("CLUTCH_TEST_PG_CTL") is { Length: > 0 } v ? v : null;

    /// <summary>Why cluster tests cannot run here, or null; never a reason when scripts/test.sh requires the services.</summary>
    public static string? SkipReason =>
        Environment.GetEnvironmentVariable("CLUTCH_TEST_REQUIRE_SERVICES") == "1" ? null
        : Postgres is null ? "CLUTCH_TEST_PG is not set: no PostgreSQL server to test against (scripts/test.sh starts one)"
        : S3 is null ? "CLUTCH_TEST_S3 is not set: no S3 endpoint to test against (scripts/test.sh starts one)"
        : null;

    /// <summary>Creates a fresh database on the test server; its URL.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var server = Postgres ?? throw new InvalidOperationException("CLUTCH_TEST_PG is not set: run the tests with scripts/test.sh");
        var name = prefix + "_" + Guid.NewGuid().ToString("N")[..12];
        (await ProcessRunner.RunAsync("psql", [server, "-v", "ON_ERROR_STOP=1", "-q", "-c", $"CREATE DATABASE {name}"], timeout: TimeSpan.FromSeconds(30))).AssertSuccess();
        var builder = new UriBuilder(server) { Path = "/" + name };
        return builder.Uri.ToString().Replace("postgres://", "postgresql://", StringComparison.Ordinal);
    }

    /// <summary>Restarts the test PostgreSQL server (fast shutdown: open connections are cut).</summary>
    public static async Task<TimeSpan> RestartPostgresAsync()
    {
        var control = PostgresControl ?? throw new InvalidOperationException("CLUTCH_TEST_PG_CTL is not set: run the tests with scripts/test.sh");
        var clock = Stopwatch.StartNew();
        (await ProcessRunner.RunAsync(control, ["restart", "-m", "fast"], timeout: TimeSpan.FromSeconds(60))).AssertSuccess();
        return clock.Elapsed;
    }
}

/// <summary>A fact that needs PostgreSQL and S3: skipped with the reason where they are not, failing where scripts/test.sh requires them.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ClusterFactAttribute : FactAttribute
{
    public ClusterFactAttribute() => Skip = ClusterServices.SkipReason;
}

/// <summary>One node of a cluster: <c>clutch serve</c> on PostgreSQL and S3.</summary>
public sealed class ClusterNode(IReadOnlyList<string> storeArguments, IEnumerable<string> extraArguments)
    : ClutchServer([.. storeArguments, .. extraArguments])
{
    public override IReadOnlyList<string> StoreArguments => storeArguments;
}

/// <summary>
/// Two nodes on two loopback ports sharing one fresh PostgreSQL database and one fresh S3 bucket,
/// as a load balancer would see them.
/// </summary>
public sealed class Cluster : IAsyncLifetime
{
    public const string User = "cluster";
    public const string Password = "cluster-password-1";

    public ClusterNode A { get; private set; } = null!;

    public ClusterNode B { get; private set; } = null!;

    public string CatalogUrl { get; private set; } = "";

    public string BlobsUrl { get; } = "s3://clutch-e2e-" + Guid.NewGuid().ToString("N")[..12] + "/packages";

    /// <summary>Extra arguments for both nodes.</summary>
    public IReadOnlyList<string> NodeArguments { get; init; } = [];

    public IReadOnlyList<string> StoreArguments => ["--catalog", CatalogUrl, "--blobs", BlobsUrl, "--s3-endpoint", ClusterServices.S3 ?? ""];

    public async Task InitializeAsync()
    {
        if (ClusterServices.SkipReason is not null)
        {
            return; // every test of the class is skipped
        }

        CatalogUrl = await ClusterServices.CreateDatabaseAsync("clutch_e2e");
        A = new ClusterNode(StoreArguments, NodeArguments);
        B = new ClusterNode(StoreArguments, NodeArguments);
        await A.InitializeAsync(); // migrates the catalog and creates the bucket first
        await B.InitializeAsync();
        await A.AddUserAsync(User, Password);
    }

    public async Task DisposeAsync()
    {
        if (A is not null)
        {
            await A.DisposeAsync();
        }

        if (B is not null)
        {
            await B.DisposeAsync();
        }
    }
}
