using System.Net;
using System.Net.Sockets;
using Clutch.Server.Tests.Harness;
using Clutch.Server.Tests.Storage.Contracts;
using Clutch.Storage;
using Clutch.Storage.Accounts;
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
    [InlineData("postgres://a%20b:p%3Aw%2Bd+x@h/my%2Fdb", "h", 5432, "my/db", "a b", "p:w+d+x")]
    public void A_url_becomes_a_connection_string(string url, string host, int port, string database, string? user, string? password)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString(url));

        Assert.Equal((host, port, database, user, password), (builder.Host, builder.Port, builder.Database, builder.Username, builder.Password));
    }

    [Theory]
    [InlineData("postgresql://db/x?bogus=1", "'bogus' is not supported")]
    [InlineData("postgresql://db/x?sslmode=require&host_addr=1", "'host_addr' is not supported")]
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

    [Theory]
    [InlineData("postgresql://db/x?sslmode=require&application_name=a+b%26c", "SSL Mode", "Require")]
    [InlineData("postgresql://db/x?sslmode=require&application_name=a+b%26c", "Application Name", "a+b&c")]
    [InlineData("postgresql://db/x?options=-c%20search_path%3Dclutch", "Options", "-c search_path=clutch")]
    public void Query_parameters_are_percent_decoded_into_their_settings(string url, string keyword, string expected) =>
        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString(url))[keyword]?.ToString());

    [Fact]
    public async Task A_server_that_is_not_there_is_unavailable_not_an_error()
    {
        var port = ClosedPort();
        await using var catalog = new PostgresCatalog($"postgresql://postgres:secret@127.0.0.1:{port}/clutch?connect_timeout=2");
        var accounts = (IAccountStore)catalog;
        var calls = new Func<Task>[]
        {
            () => catalog.ListProjectsAsync(CancellationToken.None),
            () => catalog.TryAddFileAsync(TestFiles.Make("foo", "1.0"), CancellationToken.None),
            () => catalog.StreamAllFilesAsync(CancellationToken.None).GetAsyncEnumerator().MoveNextAsync().AsTask(),
            () => accounts.FindTokenByHashAsync("h", CancellationToken.None),
            () => accounts.AddUserAsync(new UserAccount("alice", "h", false, DateTimeOffset.UtcNow), CancellationToken.None),
            () => ((IDeletedFiles)catalog).FindAsync("foo-1.0.tar.gz", CancellationToken.None),
            () => new PostgresLeases(catalog).TryAcquireAsync("retention", CancellationToken.None),
        };

        foreach (var call in calls)
        {
            var e = await Assert.ThrowsAsync<StorageUnavailableException>(call);
            Assert.Contains($"PostgreSQL catalog at postgresql://postgres:***@127.0.0.1:{port}/clutch", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("secret", e.Message, StringComparison.Ordinal);
        }

        var reason = await catalog.CheckAsync(CancellationToken.None);
        Assert.Contains($"127.0.0.1:{port}", reason ?? "", StringComparison.Ordinal);
        Assert.Contains("cannot be reached", reason ?? "", StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task A_server_that_answers_is_healthy()
    {
        await using var provider = new PostgresProvider();
        await using var node = await provider.CreateNodeAsync();

        Assert.Null(await node.Catalog.CheckAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task Connections_cut_by_the_server_surface_as_unavailable_once_and_then_recover()
    {
        await using var provider = new PostgresProvider();
        await using var node = await provider.CreateNodeAsync();
        await node.Catalog.UpsertFilesAsync([TestFiles.Make("foo", "1.0")], CancellationToken.None);

        // What an administrator's shutdown or a restart does to the pooled connections.
        Assert.True(await TerminateAsync(provider, "clutch") > 0);

        var e = await Record.ExceptionAsync(() => node.Catalog.ListProjectsAsync(CancellationToken.None));
        Assert.True(e is null or StorageUnavailableException, $"expected success or StorageUnavailableException, got {e}");
        Assert.Single(await node.Catalog.ListProjectsAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task The_change_feed_reconnects_and_reads_what_was_logged_while_it_was_away()
    {
        await using var provider = new PostgresProvider();
        await using var a = await provider.CreateNodeAsync();
        await using var b = await provider.CreateNodeAsync();
        var heard = new TaskCompletionSource<CatalogChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.Catalog.Changed += (_, e) => heard.TrySetResult(e);

        // Both feeds lose their LISTEN connection; the change is committed while they are away.
        Assert.Equal(2, await TerminateAsync(provider, "clutch-feed"));
        await a.Catalog.UpsertFilesAsync([TestFiles.Make("foo", "1.0")], CancellationToken.None);

        var seen = await heard.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["foo"], seen.Projects.Select(p => p.Value));
    }

    [PostgresFact]
    public async Task A_lease_is_released_when_its_connection_ends()
    {
        await using var provider = new PostgresProvider();
        await using var a = await provider.CreateNodeAsync();
        await using var b = await provider.CreateNodeAsync();
        var held = await a.Leases.TryAcquireAsync("retention", CancellationToken.None);
        Assert.NotNull(held);
        Assert.Null(await b.Leases.TryAcquireAsync("retention", CancellationToken.None));

        // The holder's node died: its session, and the lock with it, ends.
        Assert.Equal(1, await TerminateAsync(provider, "clutch-lease"));

        await using var taken = await b.Leases.TryAcquireAsync("retention", CancellationToken.None);
        Assert.NotNull(taken);
        await held!.DisposeAsync(); // the dead holder lets go without an error
    }

    /// <summary>Ends the server sessions of the provider's database named <paramref name="applicationName"/>; how many.</summary>
    private static async Task<long> TerminateAsync(PostgresProvider provider, string applicationName)
    {
        await using var connection = new NpgsqlConnection(PostgresUrl.ToConnectionString(TestServices.RequirePostgres()));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2) t", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = provider.Database });
        command.Parameters.Add(new NpgsqlParameter { Value = applicationName });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
