using Xunit.Abstractions;

namespace Clutch.Server.Tests.Storage.Contracts;

/// <summary>
/// The base of the contract suites (catalog, accounts, tombstones, leases, change feed): each is an
/// abstract class of <see cref="Harness.ContractFactAttribute"/> tests written once, and each
/// provider is a small sealed subclass that says which <see cref="ICatalogProvider"/> it runs on
/// (a PostgreSQL one carries <c>[NeedsService(TestService.Postgres)]</c>, which skips it when there
/// is no server). Every test class gets a fresh database; nodes made by <see cref="NodeAsync"/>
/// share it, standing for two servers or processes.
/// </summary>
public abstract class StoreContract(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<CatalogNode> _nodes = [];

    protected ITestOutputHelper Output { get; } = output;

    protected ICatalogProvider Provider { get; private set; } = null!;

    protected static CancellationToken Ct => CancellationToken.None;

    protected abstract ICatalogProvider CreateProvider();

    public Task InitializeAsync()
    {
        Provider = CreateProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await Provider.DisposeAsync();
    }

    /// <summary>A node of the shared catalog, stopped with the test.</summary>
    protected async Task<CatalogNode> NodeAsync(bool migrate = true)
    {
        var node = await Provider.CreateNodeAsync(migrate);
        lock (_nodes)
        {
            _nodes.Add(node);
        }

        return node;
    }
}
