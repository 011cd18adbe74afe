using Clutch.Packaging;
using Clutch.Server.Tests.Harness;
using Clutch.Storage;
using Xunit.Abstractions;

namespace Clutch.Server.Tests.Storage.Contracts;

/// <summary>What every tombstone store does the same way (<see cref="IDeletedFiles"/>).</summary>
public abstract class DeletedFilesContract(ITestOutputHelper output) : StoreContract(output)
{
    private static readonly DateTimeOffset At = new(2024, 2, 3, 4, 5, 6, TimeSpan.Zero);
    private static readonly ProjectName Foo = ProjectName.Normalize("foo");

    [ContractFact]
    public async Task Tombstones_round_trip_list_by_filename_and_replace_older_ones()
    {
        var deleted = (await NodeAsync()).Deleted;
        await deleted.AddAsync([new DeletedFile("foo-1.1.tar.gz", Foo, "alice", At.AddTicks(3), "oops"), new DeletedFile("foo-1.0.tar.gz", Foo, null, At, null)], Ct);
        await deleted.AddAsync([new DeletedFile("foo-1.0.tar.gz", Foo, "bob", At.AddDays(1), "again")], Ct);

        Assert.Equal(
            [new DeletedFile("foo-1.0.tar.gz", Foo, "bob", At.AddDays(1), "again"), new DeletedFile("foo-1.1.tar.gz", Foo, "alice", At.AddTicks(3), "oops")],
            await deleted.ListAsync(Ct));
        Assert.Equal(new DeletedFile("foo-1.0.tar.gz", Foo, "bob", At.AddDays(1), "again"), await deleted.FindAsync("foo-1.0.tar.gz", Ct));
        Assert.Null(await deleted.FindAsync("foo-2.0.tar.gz", Ct));
    }

    [ContractFact]
    public async Task A_released_filename_may_be_used_again_once()
    {
        var deleted = (await NodeAsync()).Deleted;
        await deleted.AddAsync([new DeletedFile("foo-1.0.tar.gz", Foo, null, At, null)], Ct);

        Assert.True(await deleted.ReleaseAsync("foo-1.0.tar.gz", Ct));
        Assert.False(await deleted.ReleaseAsync("foo-1.0.tar.gz", Ct));
        Assert.Null(await deleted.FindAsync("foo-1.0.tar.gz", Ct));
        Assert.Empty(await deleted.ListAsync(Ct));
    }

    [ContractFact]
    public async Task A_batch_of_tombstones_is_all_or_nothing()
    {
        var deleted = (await NodeAsync()).Deleted;

        // A row the database refuses (no filename) fails the write: the one before it is not kept.
        await Assert.ThrowsAnyAsync<Exception>(() =>
            deleted.AddAsync([new DeletedFile("foo-1.0.tar.gz", Foo, null, At, null), new DeletedFile(null!, Foo, null, At, null)], Ct));

        Assert.Empty(await deleted.ListAsync(Ct));
    }

    [ContractFact]
    public async Task A_tombstone_recorded_by_one_instance_is_seen_by_the_other()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();

        await a.Deleted.AddAsync([new DeletedFile("foo-1.0.tar.gz", Foo, "alice", At, null)], Ct);

        Assert.NotNull(await b.Deleted.FindAsync("foo-1.0.tar.gz", Ct));
    }
}

public sealed class SqliteDeletedFilesContractTests(ITestOutputHelper output) : DeletedFilesContract(output)
{
    protected override ICatalogProvider CreateProvider() => new SqliteProvider();
}

[NeedsService(TestService.Postgres)]
public sealed class PostgresDeletedFilesContractTests(ITestOutputHelper output) : DeletedFilesContract(output)
{
    protected override ICatalogProvider CreateProvider() => new PostgresProvider();
}
