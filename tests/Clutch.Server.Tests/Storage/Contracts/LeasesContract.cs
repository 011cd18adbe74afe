using Clutch.Server.Tests.Harness;
using Clutch.Storage;
using Xunit.Abstractions;

namespace Clutch.Server.Tests.Storage.Contracts;

/// <summary>What every lease provider does the same way (<see cref="ILeases"/>): one holder of a name at a time, across instances.</summary>
public abstract class LeasesContract(ITestOutputHelper output) : StoreContract(output)
{
    [ContractFact]
    public async Task A_lease_is_held_by_one_instance_at_a_time_and_free_again_once_released()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();

        var held = await a.Leases.TryAcquireAsync("retention", Ct);
        Assert.NotNull(held);
        Assert.Null(await b.Leases.TryAcquireAsync("retention", Ct));
        Assert.Null(await a.Leases.TryAcquireAsync("retention", Ct));
        await using (var other = await b.Leases.TryAcquireAsync("backfill", Ct))
        {
            Assert.NotNull(other);
        }

        await held!.DisposeAsync();
        await using var again = await b.Leases.TryAcquireAsync("retention", Ct);
        Assert.NotNull(again);
        Assert.Null(await a.Leases.TryAcquireAsync("retention", Ct));
    }

    [ContractFact]
    public async Task Of_eight_instances_racing_for_a_lease_exactly_one_gets_it()
    {
        var nodes = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => NodeAsync()));
        for (var round = 0; round < 3; round++)
        {
            var name = "race" + round;
            var leases = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => nodes[i % 2].Leases.TryAcquireAsync(name, Ct))));

            Assert.Single(leases, l => l is not null);
            await leases.Single(l => l is not null)!.DisposeAsync();
        }
    }

    [ContractFact]
    public async Task A_lease_stays_held_while_its_holder_works()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        await using var held = await a.Leases.TryAcquireAsync("long-job", Ct);
        Assert.NotNull(held);

        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(200);
            Assert.Null(await b.Leases.TryAcquireAsync("long-job", Ct));
        }
    }
}

public sealed class SqliteLeasesContractTests(ITestOutputHelper output) : LeasesContract(output)
{
    protected override ICatalogProvider CreateProvider() => new SqliteProvider();
}

[NeedsService(TestService.Postgres)]
public sealed class PostgresLeasesContractTests(ITestOutputHelper output) : LeasesContract(output)
{
    protected override ICatalogProvider CreateProvider() => new PostgresProvider();
}
