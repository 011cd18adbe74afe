using System.Text.Json;

namespace Clutch.EndToEnd.Tests.Errors;

/// <summary>Its own server: the failed logins here must not throttle the other error tests.</summary>
public sealed class ThrottleServer : ErrorServer;

public sealed class ThrottleAnswerTests(ThrottleServer server) : IClassFixture<ThrottleServer>
{
    [Fact]
    public async Task Repeated_wrong_passwords_for_one_user_are_429_problem_with_retry_after()
    {
        await server.ReadyAsync();

        Answer? throttled = null;
        for (var attempt = 0; attempt < 50 && throttled is null; attempt++)
        {
            var answer = await server.SendAsync(HttpMethod.Post, "/api/projects/e2e-err/releases/1.0/yank", ErrorServer.User, "wrong password " + attempt);
            if (answer.Status == 429)
            {
                throttled = answer;
            }
            else
            {
                answer.AssertProblem(401, "Invalid username, password or token");
            }
        }

        Assert.NotNull(throttled);
        Assert.Equal("application/problem+json", throttled.MediaType);
        using var problem = JsonDocument.Parse(throttled.Body);
        Assert.Equal(429, problem.RootElement.GetProperty("status").GetInt32());
        // twine and people read the detail, not the header: it says when to retry, in words.
        Assert.Matches(@"retry in \d+ s", problem.RootElement.GetProperty("detail").GetString());
        var retryAfter = throttled.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter > TimeSpan.Zero, $"Retry-After: {throttled.Headers.RetryAfter}");
    }
}
