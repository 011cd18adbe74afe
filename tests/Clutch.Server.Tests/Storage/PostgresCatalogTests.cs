using System.Net;
using System.Net.Sockets;
using Clutch.Storage;
using Clutch.Storage.Postgres;
using Npgsql;

namespace Clutch.Server.Tests.Storage;

/// <summary>What only the PostgreSQL catalog has: its URL, and how it fails when the server is away.</summary>
public sealed class PostgresCatalogTests
{
    [Theory]
    [InlineData("postgresql://clutch:s%40cret@db.example:6543/packages?sslmode=require", "db.example", 6543, "packages", "clutch", "s@cret")]
    [InlineData("postgres://u@127.0.0.1/idx", "127.0.0.1", 5432, "idx", "u", null)]
    [InlineData("postgresql://[::1]:5433/", "::1", 5433, "postgres", null, null)]
    public void A_url_becomes_a_connection_string(string url, string host, int port, string database, string? user, string? password)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString(url));

        Assert.Equal((host, port, database, user, password), (builder.Host, builder.Port, builder.Database, builder.Username, builder.Password));
    }

    [Theory]
    [InlineData("postgresql://db/x?bogus=1", "'bogus' is not supported")]
    [InlineData("mysql://db/x", "is not a PostgreSQL URL")]
    [InlineData("postgresql://", "is not a PostgreSQL URL")]
    public void A_bad_url_is_refused_in_one_line_naming_the_problem(string url, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => PostgresUrl.ToConnectionString(url));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_password_never_shows_in_a_description() =>
        Assert.Equal("postgresql://clutch:***@db:5432/x", PostgresUrl.Redact("postgresql://clutch:hunter2@db:5432/x"));

    [Fact]
    public async Task A_server_that_is_not_there_is_unavailable_not_an_error()
    {
        var port = ClosedPort();
        await using var catalog = new PostgresCatalog($"postgresql://postgres@127.0.0.1:{port}/clutch?connect_timeout=2");

        var e = await Assert.ThrowsAsync<StorageUnavailableException>(() => catalog.ListProjectsAsync(CancellationToken.None));
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be reached", await catalog.CheckAsync(CancellationToken.None) ?? "", StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
