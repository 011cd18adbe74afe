using System.Collections.Concurrent;
using System.Diagnostics;
using Clutch.Server.Tests.Harness;
using Clutch.Server.Tests.Storage.Contracts;
using Clutch.Storage;
using Clutch.Storage.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit.Abstractions;

namespace Clutch.Server.Tests.Storage;

/// <summary>Catalogs sharing one PostgreSQL database, each in a schema of its own (one per index).</summary>
public sealed class PostgresSchemaTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => CancellationToken.None;

    [Theory]
    [InlineData("Team")]
    [InlineData("1team")]
    [InlineData("team-a")]
    [InlineData("")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    [InlineData("pg_team")]
    [InlineData("public")]
    public void A_schema_name_that_is_not_acceptable_is_refused(string schema)
    {
        var e = Assert.Throws<ArgumentException>(() => new PostgresCatalog("postgresql://db/x", schema: schema));
        Assert.Contains($"'{schema}'", e.Message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Catalogs_in_two_schemas_keep_their_own_files_and_hear_only_their_own_changes()
    {
        await using var provider = new PostgresProvider();
        await using var main = await provider.CreateNodeAsync(); // the default catalog, in the public schema
        await using var a = new PostgresCatalog(provider.Url, schema: "clutch_ix_a");
        await using var b = new PostgresCatalog(provider.Url, schema: "clutch_ix_b");
        // Other nodes' instances of the same two catalogs, each hearing changes through its own feed.
        await using var aElsewhere = await ListeningAsync(provider.Url, "clutch_ix_a");
        await using var bElsewhere = await ListeningAsync(provider.Url, "clutch_ix_b");

        var clock = Stopwatch.StartNew();
        await a.UpsertFilesAsync([TestFiles.Make("foo", "1.0")], Ct);
        await aElsewhere.Heard("foo");
        output.WriteLine($"the other instance in schema a heard after {clock.ElapsedMilliseconds} ms");
        // Sooner than the feed's 2 s safety poll: the NOTIFY on the schema's channel woke it.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"heard after {clock.ElapsedMilliseconds} ms");
        await b.UpsertFilesAsync([TestFiles.Make("bar", "1.0")], Ct);
        await bElsewhere.Heard("bar");

        // Each feed raised its own schema's change only (b's would have raised foo before bar).
        Assert.Equal(["foo"], aElsewhere.Projects);
        Assert.Equal(["bar"], bElsewhere.Projects);
        Assert.Equal(["foo"], (await a.GetAllFilesAsync(Ct)).Select(f => f.Project.Value));
        Assert.Equal(["bar"], (await b.GetAllFilesAsync(Ct)).Select(f => f.Project.Value));
        Assert.Empty(await main.Catalog.GetAllFilesAsync(Ct));

        // Their leases are their own too: the same job may run once per schema.
        await using var leaseA = await new PostgresLeases(a).TryAcquireAsync("retention", Ct);
        await using var leaseB = await new PostgresLeases(b).TryAcquireAsync("retention", Ct);
        await using var leaseMain = await main.Leases.TryAcquireAsync("retention", Ct);
        Assert.NotNull(leaseA);
        Assert.NotNull(leaseB);
        Assert.NotNull(leaseMain);
        Assert.Null(await new PostgresLeases(aElsewhere.Catalog).TryAcquireAsync("retention", Ct));
    }

    [PostgresFact]
    public async Task Dropping_a_schema_removes_its_catalog_and_leaves_the_others()
    {
        await using var provider = new PostgresProvider();
        await using var main = await provider.CreateNodeAsync();
        await using var a = new PostgresCatalog(provider.Url, schema: "clutch_ix_a");
        await using var b = new PostgresCatalog(provider.Url, schema: "clutch_ix_b");
        await a.UpsertFilesAsync([TestFiles.Make("foo", "1.0")], Ct);
        await b.UpsertFilesAsync([TestFiles.Make("bar", "1.0")], Ct);
        await main.Catalog.UpsertFilesAsync([TestFiles.Make("baz", "1.0")], Ct);
        Assert.Equal(["clutch_ix_a", "clutch_ix_b"], await SchemasAsync(provider.Url));

        await a.DropSchemaAsync(Ct);
        await a.DropSchemaAsync(Ct); // gone already: nothing to do

        Assert.Equal(["clutch_ix_b"], await SchemasAsync(provider.Url));
        Assert.Single(await b.GetAllFilesAsync(Ct));
        Assert.Single(await main.Catalog.GetAllFilesAsync(Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => ((PostgresCatalog)main.Catalog).DropSchemaAsync(Ct));
    }

    /// <summary>The schemas of the database other than PostgreSQL's own and public, by name.</summary>
    private static async Task<List<string>> SchemasAsync(string url)
    {
        await using var connection = new NpgsqlConnection(PostgresUrl.ToConnectionString(url) + ";Pooling=false");
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('public', 'information_schema') ORDER BY nspname", connection);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static async Task<Listener> ListeningAsync(string url, string schema)
    {
        var catalog = new PostgresCatalog(url, schema: schema);
        await catalog.MigrateAsync(Ct);
        var feed = new PostgresChangeFeed(catalog, NullLogger<PostgresChangeFeed>.Instance);
        var listener = new Listener(catalog, feed);
        await feed.StartAsync(Ct);
        await feed.Listening.WaitAsync(TimeSpan.FromSeconds(10));
        return listener;
    }

    /// <summary>A catalog instance with its change feed running, noting the projects its Changed events name.</summary>
    private sealed class Listener : IAsyncDisposable
    {
        private readonly PostgresChangeFeed _feed;
        private readonly ConcurrentQueue<string> _projects = new();

        public Listener(PostgresCatalog catalog, PostgresChangeFeed feed)
        {
            Catalog = catalog;
            _feed = feed;
            catalog.Changed += (_, e) =>
            {
                foreach (var project in e.Projects)
                {
                    _projects.Enqueue(project.Value);
                }
            };
        }

        public PostgresCatalog Catalog { get; }

        public IReadOnlyList<string> Projects => [.. _projects];

        public async Task Heard(string project) =>
            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(_projects.Contains(project)), TimeSpan.FromSeconds(5)), $"{project} was not heard");

        public async ValueTask DisposeAsync()
        {
            await _feed.StopAsync(Ct);
            _feed.Dispose();
            await Catalog.DisposeAsync();
        }
    }
}
