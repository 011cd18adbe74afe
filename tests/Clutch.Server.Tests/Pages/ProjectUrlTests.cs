using System.Text.Json;
using Clutch.Server.Tests.Harness;
using Clutch.Tests.Shared;

namespace Clutch.Server.Tests.Pages;

/// <summary>
/// A name in a URL that is not a PEP 508 project name is 404 on every route; only a valid name in
/// another spelling redirects (issue 16, item 2). Requests go out byte for byte (<see cref="RawHttp"/>).
/// </summary>
public sealed class ProjectUrlTests(SeededServerFixture fixture) : IClassFixture<SeededServerFixture>
{
    private const string Reason = "is not a valid project name";

    /// <summary>Path segments that are no project's name, as sent on the wire.</summary>
    public static TheoryData<string> NotNames => new()
    {
        "..%2f..%2fetc%2fpasswd",
        "..%2F..%2Fetc%2Fpasswd",
        "a%2fb",
        "..%5c..%5cwindows",
        "-alpha",
        "alpha-",
        "_",
        "alpha%0A",
        "alpha;x=1",
        "caf%C3%A9",
        "%ff",
        "al%20pha",
        new string('a', 300) + "-",
    };

    [Theory]
    [MemberData(nameof(NotNames))]
    public async Task Simple_and_links_pages_of_a_name_that_is_not_a_project_name_are_404_with_a_one_line_reason(string segment)
    {
        foreach (var prefix in (string[])["/simple/", "/links/"])
        {
            foreach (var suffix in (string[])["/", ""])
            {
                var r = await RawHttp.SendAsync(fixture.Server.BaseAddress, "GET", prefix + segment + suffix);

                Assert.True(r.Status == 404, $"{prefix}{segment}{suffix} → {r.Status} {r.Header("location")}");
                Assert.Null(r.Header("location"));
                Assert.Equal("text/plain", r.MediaType);
                Assert.Contains(Reason, r.Body, StringComparison.Ordinal);
                Assert.Equal(r.Body.Length - 1, r.Body.IndexOf('\n', StringComparison.Ordinal));
            }
        }
    }

    [Theory]
    [MemberData(nameof(NotNames))]
    public async Task Json_api_for_a_name_that_is_not_a_project_name_is_404_problem_details(string segment)
    {
        foreach (var path in (string[])[$"/pypi/{segment}/json", $"/pypi/{segment}/1.0/json"])
        {
            var r = await RawHttp.SendAsync(fixture.Server.BaseAddress, "GET", path);

            Assert.True(r.Status == 404, $"{path} → {r.Status} {r.Header("location")}");
            Assert.Null(r.Header("location"));
            Assert.Equal("application/problem+json", r.MediaType);
            using var problem = JsonDocument.Parse(r.Body);
            Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
            Assert.Contains(Reason, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/simple/Beta_Pkg/", "/simple/beta-pkg/")]
    [InlineData("/simple/beta.PKG", "/simple/beta-pkg/")]
    [InlineData("/simple/beta--pkg/", "/simple/beta-pkg/")]
    [InlineData("/links/Beta_Pkg/", "/links/beta-pkg/")]
    [InlineData("/links/beta-pkg", "/links/beta-pkg/")]
    [InlineData("/pypi/Beta_Pkg/json", "/pypi/beta-pkg/json")]
    [InlineData("/pypi/Beta_Pkg/0.1/json", "/pypi/beta-pkg/0.1/json")]
    public async Task Valid_name_in_another_spelling_redirects_to_the_canonical_url(string path, string location)
    {
        var r = await RawHttp.SendAsync(fixture.Server.BaseAddress, "GET", path);

        Assert.Equal(301, r.Status);
        Assert.Equal(location, r.Header("location"));
    }

    [Theory]
    [InlineData("/pypi/Beta_Pkg/..%2f..%2fetc/json")]
    [InlineData("/pypi/Beta_Pkg/0.1%2F/json")]
    public async Task Encoded_slash_in_a_version_never_redirects(string path)
    {
        var r = await RawHttp.SendAsync(fixture.Server.BaseAddress, "GET", path);

        Assert.Equal(404, r.Status);
        Assert.Null(r.Header("location"));
        Assert.Equal("application/problem+json", r.MediaType);
    }

    [Theory]
    [InlineData("not a version!", "not a version!")]
    [InlineData("1.0%2F..", "1.0%2F..")]
    [InlineData("%E2%98%83", "\u2603")]
    public async Task Json_api_for_a_version_that_is_not_pep_440_is_404_naming_it(string version, string shown)
    {
        var r = await RawHttp.SendAsync(fixture.Server.BaseAddress, "GET", $"/pypi/alpha/{version.Replace(" ", "%20", StringComparison.Ordinal)}/json");

        Assert.Equal(404, r.Status);
        Assert.Equal("application/problem+json", r.MediaType);
        using var problem = JsonDocument.Parse(r.Body);
        Assert.Equal($"Project 'alpha' has no version '{shown}'.", problem.RootElement.GetProperty("detail").GetString());
    }
}
