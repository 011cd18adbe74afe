using System.Diagnostics;
using Clutch.Packaging;
using Clutch.Storage;
using Clutch.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Clutch.Server.Tests.Storage;

/// <summary>What only the SQLite catalog has (the provider-neutral semantics are in Contracts/).</summary>
public sealed class SqliteCatalogTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly SqliteCatalog _catalog;

    public SqliteCatalogTests()
    {
        _catalog = new SqliteCatalog(_temp.Combine(".clutch", "catalog.db"));
    }

    public void Dispose()
    {
        _catalog.Dispose();
        _temp.Dispose();
    }

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task The_database_runs_in_wal_mode()
    {
        await _catalog.MigrateAsync(Ct);
        await using var connection = new SqliteConnection($"Data Source={_catalog.DatabasePath};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task Upserting_ten_thousand_files_is_one_fast_transaction()
    {
        await _catalog.MigrateAsync(Ct);
        var events = 0;
        _catalog.Changed += (_, _) => events++;
        var files = Enumerable.Range(0, 10_000).Select(i => TestFiles.Make($"p{i % 500}", $"1.{i}")).ToArray();

        var stopwatch = Stopwatch.StartNew();
        await _catalog.UpsertFilesAsync(files, Ct);
        stopwatch.Stop();

        Assert.Equal(1, events);
        Assert.Equal(10_000, (await _catalog.GetAllFilesAsync(Ct)).Count);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task A_held_lease_is_renewed_past_its_term()
    {
        var leases = new SqliteLeases(_catalog, TimeSpan.FromMilliseconds(300));
        using var otherProcess = new SqliteCatalog(_catalog.DatabasePath);
        var elsewhere = new SqliteLeases(otherProcess, TimeSpan.FromMilliseconds(300));
        await using var held = await leases.TryAcquireAsync("retention", Ct);
        Assert.NotNull(held);

        for (var i = 0; i < 6; i++)
        {
            await Task.Delay(150);
            Assert.Null(await elsewhere.TryAcquireAsync("retention", Ct));
        }
    }

    [Fact]
    public async Task A_lease_whose_holder_died_lapses_at_the_end_of_its_term()
    {
        await _catalog.MigrateAsync(Ct);
        // What a process killed while holding the lease leaves behind: its row, no longer renewed.
        await using (var connection = new SqliteConnection($"Data Source={_catalog.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO leases (name, holder, expires) VALUES ('retention', 'dead', $expires)";
            command.Parameters.AddWithValue("$expires", DateTimeOffset.UtcNow.AddMilliseconds(400).UtcTicks);
            await command.ExecuteNonQueryAsync(Ct);
        }

        var leases = new SqliteLeases(_catalog);
        Assert.Null(await leases.TryAcquireAsync("retention", Ct));
        await Task.Delay(500);
        await using var taken = await leases.TryAcquireAsync("retention", Ct);
        Assert.NotNull(taken);
    }
}
