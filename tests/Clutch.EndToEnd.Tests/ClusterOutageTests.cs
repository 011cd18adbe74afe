using System.Diagnostics;
using System.Net;
using Clutch.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace Clutch.EndToEnd.Tests;

/// <summary>The cluster tests run one class at a time: this one restarts the PostgreSQL server they share.</summary>
[CollectionDefinition("cluster")]
public sealed class ClusterCollection;

/// <summary>
/// PostgreSQL restarted under a 30 s read load (issue 17): pages already built keep being served,
/// the rest answer 503 with Retry-After (never another error), and the node recovers by itself.
/// </summary>
[Collection("cluster")]
public sealed class ClusterOutageTests(Cluster cluster, ITestOutputHelper output) : IClassFixture<Cluster>
{
    private static readonly TimeSpan Load = TimeSpan.FromSeconds(30);

    [ClusterFact]
    public async Task PostgreSQL_restarted_during_a_read_load_costs_only_503s_and_the_node_recovers()
    {
        var wheel = await PackageFactory.BuildAsync(new PackageSpec("e2e_outage", "1.0"));
        (await Twine.UploadAsync(cluster.A.UploadUrl, Cluster.User, Cluster.Password, [wheel])).AssertSuccess();
        var built = cluster.A.SimpleUrl + "e2e-outage/";
        Assert.Equal(HttpStatusCode.OK, (await cluster.A.HttpClient.GetAsync(built)).StatusCode); // built before the outage

        var counts = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var builtFailures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var missingRetryAfter = 0;
        var clock = Stopwatch.StartNew();
        var readers = Enumerable.Range(0, 4).Select(reader => Task.Run(async () =>
        {
            var i = 0;
            while (clock.Elapsed < Load)
            {
                // Reader 0 asks for the built page; the others for pages that need the catalog
                // (an unknown project is read from it every time: unknown names are not cached).
                var url = reader == 0 ? built : cluster.A.SimpleUrl + $"e2e-outage-unknown-{reader}-{i++}/";
                string outcome;
                try
                {
                    using var response = await cluster.A.HttpClient.GetAsync(url);
                    outcome = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is null)
                    {
                        Interlocked.Increment(ref missingRetryAfter);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    outcome = e.GetType().Name;
                }

                if (reader == 0 && outcome != "200")
                {
                    builtFailures.Add(outcome);
                }

                counts.AddOrUpdate((reader == 0 ? "built page " : "catalog read ") + outcome, 1, (_, n) => n + 1);
                await Task.Delay(5);
            }
        })).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(5));
        var restartTook = await ClusterServices.RestartPostgresAsync();
        var back = clock.Elapsed;
        TimeSpan? recovered = null;
        while (clock.Elapsed < Load && recovered is null)
        {
            using var ready = await cluster.A.HttpClient.GetAsync(cluster.A.BaseUrl + "/health/ready");
            using var read = await cluster.A.HttpClient.GetAsync(cluster.A.SimpleUrl + "e2e-outage-after-" + Guid.NewGuid().ToString("N")[..6] + "/");
            if (ready.StatusCode == HttpStatusCode.OK && read.StatusCode == HttpStatusCode.NotFound)
            {
                recovered = clock.Elapsed - back;
            }
            else
            {
                await Task.Delay(50);
            }
        }

        await Task.WhenAll(readers);
        foreach (var (outcome, count) in counts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{outcome}: {count}");
        }

        output.WriteLine($"PostgreSQL restart took {restartTook.TotalMilliseconds:F0} ms; the node answered catalog reads again {recovered?.TotalMilliseconds:F0} ms after it was back");
        Assert.Empty(builtFailures);
        Assert.All(counts.Keys, k => Assert.True(k.EndsWith(" 200", StringComparison.Ordinal) || k.EndsWith(" 404", StringComparison.Ordinal) || k.EndsWith(" 503", StringComparison.Ordinal), $"unexpected outcome: {k}"));
        Assert.Equal(0, missingRetryAfter);
        Assert.True(recovered is not null, "the node did not answer catalog reads again within the load");
        Assert.True(recovered < TimeSpan.FromSeconds(10), $"recovery took {recovered?.TotalSeconds:F1} s");
    }
}
