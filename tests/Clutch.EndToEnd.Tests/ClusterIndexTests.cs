using System.Diagnostics;
using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

/// <summary>
/// Indexes on two nodes sharing PostgreSQL and S3: an index created from the command line is served
/// by both, and an upload into it on one node is on the other's page within about a second (the
/// index's own schema has its own change feed).
/// </summary>
[Collection("cluster")]
public sealed class ClusterIndexTests(Cluster cluster) : IClassFixture<Cluster>
{
    [ClusterFact]
    public async Task An_index_made_on_the_shared_stores_is_served_by_both_nodes_and_an_upload_on_one_reaches_the_other()
    {
        (await cluster.A.RunCliAsync(["index", "create", "cluster-team", "--bases", "default", .. cluster.StoreArguments])).AssertSuccess();
        foreach (var node in (ClusterNode[])[cluster.A, cluster.B])
        {
            Assert.True(await WaitAsync(node.BaseUrl + "/cluster-team/simple/", TimeSpan.FromSeconds(10)), "the index did not reach " + node.BaseUrl);
        }

        var wheel = await PackageFactory.WheelAsync("e2e_cluster_team", "1.0");
        (await Twine.UploadAsync(cluster.B.BaseUrl + "/cluster-team/legacy/", Cluster.User, Cluster.Password, [wheel])).AssertSuccess();

        var clock = Stopwatch.StartNew();
        Assert.True(await WaitAsync(cluster.A.BaseUrl + "/cluster-team/simple/e2e-cluster-team/", TimeSpan.FromSeconds(5)), "the upload on B did not reach A's page");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"A listed B's upload after {clock.Elapsed}");
        using var download = await cluster.A.HttpClient.GetAsync(cluster.A.BaseUrl + "/cluster-team/files/e2e-cluster-team/e2e_cluster_team-1.0-py3-none-any.whl");
        Assert.Equal(await File.ReadAllBytesAsync(wheel), await download.Content.ReadAsByteArrayAsync());
    }

    private async Task<bool> WaitAsync(string url, TimeSpan within)
    {
        for (var deadline = DateTime.UtcNow + within; DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            using var response = await cluster.A.HttpClient.GetAsync(url);
            if (response.IsSuccessStatusCode)
            {
                return true;
            }
        }

        return false;
    }
}
