using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests.Errors;

/// <summary>
/// Every documented error of the management API and the JSON API, from the real binary (JIT and
/// native): the status, <c>application/problem+json</c> and a detail naming the input (issue 16, item 1).
/// </summary>
public sealed class ErrorAnswerTests(ErrorServer server) : IClassFixture<ErrorServer>
{
    private const string Yank = "/api/projects/e2e-err/releases/1.0/yank";

    [Fact]
    public async Task Management_api_without_credentials_is_401_problem_with_a_challenge()
    {
        var answer = await server.SendAsync(HttpMethod.Post, Yank);

        answer.AssertProblem(401, "needs a user or an API token");
        Assert.Equal("Basic realm=\"clutch\"", answer.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Management_api_with_a_wrong_password_is_401_problem()
    {
        await server.ReadyAsync();

        var answer = await server.SendAsync(HttpMethod.Post, Yank, ErrorServer.User, "not the password");

        answer.AssertProblem(401, "Invalid username, password or token");
    }

    [Fact]
    public async Task Management_api_for_a_project_the_user_does_not_own_is_403_problem_naming_user_and_project()
    {
        await server.ReadyAsync();

        var detail = (await server.SendAsync(HttpMethod.Delete, "/api/projects/e2e-err/releases/1.0", ErrorServer.User)).AssertProblem(403, "'bob'");

        Assert.Contains("'e2e-err'", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/projects/no-such-project/releases/1.0/yank", "'no-such-project' is not in this index")]
    [InlineData("/api/projects/e2e-err/releases/9.9/yank", "no version '9.9'")]
    [InlineData("/api/projects/e2e-err/files/e2e_err-9.9-py3-none-any.whl/yank", "no file 'e2e_err-9.9-py3-none-any.whl'")]
    [InlineData("/api/projects/..%2f..%2fetc%2fpasswd/releases/1.0/yank", "'..%2f..%2fetc%2fpasswd' is not a valid project name")]
    public async Task Management_api_for_an_unknown_project_version_or_file_is_404_problem_naming_it(string path, string detail)
    {
        await server.ReadyAsync();

        (await server.SendAsync(HttpMethod.Post, path, ErrorServer.Admin)).AssertProblem(404, detail);
    }

    [Theory]
    [InlineData("{\"reason\": ", "{\"reason\": \"...\"}")]
    [InlineData("[1, 2]", "{\"reason\": \"...\"}")]
    [InlineData("{\"reason\": \"line one\\nline two\"}", "one line")]
    public async Task Management_api_with_a_bad_body_is_400_problem_saying_what_is_wrong(string json, string detail)
    {
        await server.ReadyAsync();

        (await server.SendAsync(HttpMethod.Post, Yank, ErrorServer.Admin, json: json)).AssertProblem(400, detail);
        Assert.DoesNotContain("data-yanked", await server.HttpClient.GetStringAsync(server.SimpleUrl + "e2e-err/"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/pypi/no-such-project/json", "'no-such-project' is not in this index")]
    [InlineData("/pypi/e2e-err/9.9/json", "no version '9.9'")]
    [InlineData("/pypi/e2e-err/not%20a%20version/json", "no version 'not a version'")]
    [InlineData("/pypi/..%2f..%2fetc%2fpasswd/json", "'..%2f..%2fetc%2fpasswd' is not a valid project name")]
    [InlineData("/pypi/-e2e-err/1.0/json", "'-e2e-err' is not a valid project name")]
    public async Task Json_api_for_an_unknown_project_or_version_is_404_problem_naming_it(string path, string detail)
    {
        await server.ReadyAsync();

        (await server.SendAsync(HttpMethod.Get, path)).AssertProblem(404, detail);
    }
}
