using Clutch.Hosting;
using Clutch.Server.Tests.Harness;
using Clutch.Storage.Accounts;
using Microsoft.Extensions.DependencyInjection;

namespace Clutch.Server.Tests.Web;

/// <summary>The session key ring: one first key for every node sharing a catalog.</summary>
public sealed class WebKeyRingTests
{
    [Fact]
    public async Task Two_nodes_starting_together_on_a_new_catalog_make_one_key()
    {
        var root = Path.Combine(Path.GetTempPath(), "clutch-test-" + Guid.NewGuid().ToString("N")[..12]);
        var options = new ClutchOptions { Root = root, Port = 0, ReconcileSeconds = 60 };
        if (TestStores.ScaleOut)
        {
            await TestStores.UseScaleOutAsync(options, seeded: false);
        }

        var nodes = new[] { ClutchHost.Build(options), ClutchHost.Build(options) };
        try
        {
            await Task.WhenAll(nodes.Select(n => ClutchHost.StartAsync(n, CancellationToken.None)));
            var accounts = nodes[1].Services.GetRequiredService<IAccountStore>();
            Assert.Single(await accounts.ListWebKeysAsync(CancellationToken.None));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.StopAsync();
                await node.DisposeAsync();
            }

            Directory.Delete(root, recursive: true);
        }
    }
}
