using System.Net;

namespace Clutch.EndToEnd.Tests.Errors;

/// <summary>
/// Names in page URLs, from the real binary (JIT and native): a name that is not a project name is a
/// plain 404 with no redirect; only a valid name in another spelling redirects (issue 16, item 2).
/// </summary>
public sealed class ProjectNameAnswerTests(ErrorServer server) : IClassFixture<ErrorServer>
{
    [Theory]
    [InlineData("/simple/..%2f..%2fetc%2fpasswd/")]
    [InlineData("/simple/-bad-/")]
    [InlineData("/links/..%2f..%2fetc%2fpasswd/")]
    [InlineData("/links/caf%C3%A9/")]
    public async Task A_name_that_is_not_a_project_name_is_a_plain_404_never_a_redirect(string path)
    {
        using var response = await server.HttpClient.GetAsync(new Uri(server.BaseUrl + path, UriKind.Absolute));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("is not a valid project name", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/simple/E2E_Err/", "/simple/e2e-err/")]
    [InlineData("/links/E2E.err", "/links/e2e-err/")]
    public async Task A_valid_name_in_another_spelling_redirects_to_the_canonical_url(string path, string canonical)
    {
        using var response = await server.HttpClient.GetAsync(server.BaseUrl + path);

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal(canonical, response.Headers.Location?.OriginalString);
    }
}
