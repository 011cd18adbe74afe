namespace Clutch.Server.Tests.Harness;

/// <summary>
/// The real services some tests need, as <c>scripts/test.sh</c> starts them: a PostgreSQL server
/// (<c>CLUTCH_TEST_PG</c>, a <c>postgres://</c> URL) and an S3-compatible endpoint
/// (<c>CLUTCH_TEST_S3</c>, with the usual AWS_* variables). A test needing one is skipped, saying
/// why, when it is not there, unless <c>CLUTCH_TEST_REQUIRE_SERVICES=1</c> (set by scripts/test.sh):
/// then it runs and fails, so a run that lost its services never looks green.
/// </summary>
public static class TestServices
{
    public static string? Postgres => Environment.GetEnvironmentVariable("CLUTCH_TEST_PG") is { Length: > 0 } url ? url : null;

    public static string? S3 => Environment.GetEnvironmentVariable("CLUTCH_TEST_S3") is { Length: > 0 } url ? url : null;

    public static bool Required => Environment.GetEnvironmentVariable("CLUTCH_TEST_REQUIRE_SERVICES") == "1";

    /// <summary>The PostgreSQL URL, or a failure naming the variable when a required service is missing.</summary>
    public static string RequirePostgres() =>
        Postgres ?? throw new InvalidOperationException("CLUTCH_TEST_PG is not set: run the tests with scripts/test.sh, which starts PostgreSQL");

    /// <summary>The S3 endpoint URL, or a failure naming the variable when a required service is missing.</summary>
    public static string RequireS3() =>
        S3 ?? throw new InvalidOperationException("CLUTCH_TEST_S3 is not set: run the tests with scripts/test.sh, which starts an S3 server (moto)");

    internal static string? SkipUnless(string? service, string variable, string what) =>
        service is null && !Required ? $"{variable} is not set: no {what} to test against (scripts/test.sh starts one)" : null;
}

/// <summary>A fact that needs the test PostgreSQL server (see <see cref="TestServices"/>).</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute() => Skip = TestServices.SkipUnless(TestServices.Postgres, "CLUTCH_TEST_PG", "PostgreSQL server");
}

/// <summary>A theory that needs the test PostgreSQL server (see <see cref="TestServices"/>).</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute() => Skip = TestServices.SkipUnless(TestServices.Postgres, "CLUTCH_TEST_PG", "PostgreSQL server");
}

/// <summary>A fact that needs the test S3 endpoint (see <see cref="TestServices"/>).</summary>
public sealed class S3FactAttribute : FactAttribute
{
    public S3FactAttribute() => Skip = TestServices.SkipUnless(TestServices.S3, "CLUTCH_TEST_S3", "S3 endpoint");
}

/// <summary>A theory that needs the test S3 endpoint (see <see cref="TestServices"/>).</summary>
public sealed class S3TheoryAttribute : TheoryAttribute
{
    public S3TheoryAttribute() => Skip = TestServices.SkipUnless(TestServices.S3, "CLUTCH_TEST_S3", "S3 endpoint");
}
