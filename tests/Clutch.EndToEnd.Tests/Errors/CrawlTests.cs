using System.Net.Http.Headers;
using System.Text;
using Clutch.Tests.Shared;
using Xunit.Abstractions;

namespace Clutch.EndToEnd.Tests.Errors;

/// <summary>Its own server: the crawl yanks and deletes with an admin's credentials.</summary>
public sealed class CrawlServer : ErrorServer;

/// <summary>The hostile-request crawl (<see cref="Crawler"/>) against the real binary: no answer may be a 5xx.</summary>
public sealed class CrawlTests(CrawlServer server, ITestOutputHelper output) : IClassFixture<CrawlServer>
{
    [Fact]
    public async Task No_request_to_any_route_answers_a_5xx()
    {
        await server.ReadyAsync();
        var requests = Crawler.Requests(ErrorServer.Project, ErrorServer.Wheel, "1.0");
        var admin = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ErrorServer.Admin}:{ErrorServer.Password}")));

        var (failures, summary) = await Crawler.RunAsync(new Uri(server.BaseUrl), requests, admin.ToString());

        output.WriteLine(summary);
        Assert.True(failures.Count == 0, $"{failures.Count} of {requests.Count} requests answered 5xx:\n" + string.Join('\n', failures.Take(60)) + "\nServer output:\n" + server.Output);
    }
}
