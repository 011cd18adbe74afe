using Clutch.Server.Tests.Harness;
using Clutch.Tests.Shared;
using Xunit.Abstractions;

namespace Clutch.Server.Tests.Crawl;

/// <summary>The hostile-request crawl (<see cref="Crawler"/>) against the in-process host: no answer may be a 5xx.</summary>
public sealed class CrawlTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Project = "alpha";
    private const string Wheel = "alpha-1.0-py3-none-any.whl";
    private const string Version = "1.0";

    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task No_request_to_any_route_answers_a_5xx() => await CrawlAsync(_server);

    [Fact]
    public async Task No_request_to_any_route_of_a_private_index_answers_a_5xx()
    {
        await using var server = await StartAsync(o => o.Private = true);

        await CrawlAsync(server);
    }

    private static async Task<InProcessServer> StartAsync(Action<global::Clutch.Hosting.ClutchOptions>? configure = null)
    {
        var server = await InProcessServer.StartAsync(
            root =>
            {
                TestDistributions.Wheel(Path.Combine(root, Project), Project, Version);
                TestDistributions.Sdist(root, Project, "2.0");
                File.WriteAllText(Path.Combine(root, "gamma.links"), "git+https://vcs.example/gamma.git\n");
            },
            configure);
        await server.AddUserAsync("alice", admin: true);
        return server;
    }

    private async Task CrawlAsync(InProcessServer server)
    {
        var requests = Crawler.Requests(Project, Wheel, Version);

        var (failures, summary) = await Crawler.RunAsync(server.BaseAddress, requests, UploadHarness.Basic("alice", UploadHarness.Password).ToString());

        output.WriteLine(summary);
        Assert.True(failures.Count == 0, $"{failures.Count} of {requests.Count} requests answered 5xx:\n" + string.Join('\n', failures.Take(60)));
    }
}
