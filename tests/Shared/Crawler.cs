using System.Text;

namespace Clutch.Tests.Shared;

/// <summary>
/// The hostile-request crawl (issue 16, item 1): every route with hostile path segments, unknown
/// names, wrong methods, odd Accept headers, query strings and bodies. Shared by the in-process test
/// and the end-to-end one (which runs against the JIT and the native build).
/// </summary>
public static class Crawler
{
    /// <summary>Route templates: {p} a project, {f} a filename, {v} a version.</summary>
    private static readonly string[] Routes =
    [
        "/", "/simple/", "/simple", "/simple/{p}/", "/simple/{p}", "/links/", "/links", "/links/{p}/", "/links/{p}",
        "/files/{p}/{f}", "/files/{f}", "/files/{p}/{f}.metadata", "/files/{f}.metadata", "/files/{p}/", "/files/",
        "/pypi/{p}/json", "/pypi/{p}/{v}/json", "/pypi/{p}/", "/legacy/", "/legacy",
        "/api/projects/{p}/files/{f}/yank", "/api/projects/{p}/files/{f}/unyank", "/api/projects/{p}/files/{f}",
        "/api/projects/{p}/releases/{v}/yank", "/api/projects/{p}/releases/{v}/unyank", "/api/projects/{p}/releases/{v}",
        "/api/projects/{p}", "/health/live", "/health/ready", "/metrics",
    ];

    /// <summary>Segments as sent on the wire: traversal, encodings, control and invalid bytes, lengths, odd characters.</summary>
    private static readonly string[] Hostile =
    [
        "..%2f..%2fetc%2fpasswd", "..%2F..%2F..%2Fetc%2Fpasswd", "..", ".", "...", "%2e%2e", "%2e%2e%2f", "..%5c..%5cwindows", "\\..\\x",
        "a%00b", "%00", "%ff", "%c0%af", "%e2%98", "%", "%zz", "%25", "%0a", "%0d%0a", "%09",
        new string('a', 4000), new string('a', 200) + "%2f" + new string('b', 200),
        "%E2%98%83", "caf%C3%A9", "%F0%9F%90%8D", "%ef%bf%bf", "%ed%a0%80",
        ";", "a;b", ";jsessionid=1", "a,b", "a:b", "a@b", "a+b", "a%20b", "a'b", "a\"b", "<x>", "{p}", "*", "~", "$",
        "ALPHA", "Alpha_", "alpha..", "Alpha", "-", "_", "no-such", "x-1.0-py3-none-any.whl.metadata", "x.whl", "x-1.0.tar.gz",
        "x-1.0-py3-none-any.whl%2f..", "not a version", "1.0%2f..", "999999999999999999999999", "1.0.dev-r1234", "v1!2.0+local",
    ];

    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND"];

    private static readonly string[] Accepts =
    [
        "*/*", "application/json", "application/vnd.pypi.simple.v1+json", "application/vnd.pypi.simple.latest+json",
        "application/vnd.pypi.simple.v1+json;q=abc", "text/html;q=0", "text/html;q=-1", "text/html;q=1e400", "garbage",
        ";;;", ",,,", "application/vnd.pypi.simple.v1+html, */*;q=0.1", "text/*", "image/png", new string('x', 6000),
    ];

    private static readonly string[] Queries =
    [
        "?format=", "?format=json", "?format=application/vnd.pypi.simple.v1+json", "?format=application/vnd.pypi.simple.latest+html",
        "?format=%ff", "?format=%", "?format=a&format=b", "?a=%zz", "?%00=%00", "?" + new string('q', 4000), "?;", "?format=text/html;q=0",
    ];

    /// <summary>Every request of the crawl, for a server holding <paramref name="project"/>'s <paramref name="wheel"/> of <paramref name="version"/>.</summary>
    public static IReadOnlyList<CrawlRequest> Requests(string project, string wheel, string version)
    {
        var requests = new List<CrawlRequest>();
        foreach (var route in Routes)
        {
            foreach (var path in Paths(route, project, wheel, version))
            {
                requests.Add(new CrawlRequest("GET", path));
                requests.Add(new CrawlRequest(route.StartsWith("/api/", StringComparison.Ordinal) ? Method(route) : "POST", path, Authorized: true));
            }

            var known = Fill(route, project, wheel, version);
            requests.AddRange(Methods.Select(m => new CrawlRequest(m, known)));
            requests.AddRange(Methods.Select(m => new CrawlRequest(m, known, Authorized: true)));
            requests.AddRange(Accepts.Select(a => new CrawlRequest("GET", known, Accept: a)));
            requests.AddRange(Queries.Select(q => new CrawlRequest("GET", known + q)));
        }

        requests.AddRange(Bodies(project, wheel, version).Select(b => new CrawlRequest("POST", b.Path, Authorized: true, ContentType: b.ContentType, Body: b.Body)));
        return requests;
    }

    /// <summary>
    /// Sends every request (authorized ones with <paramref name="authorization"/>) and returns those
    /// answered with a 5xx, one line each, and a count of the answers by status.
    /// </summary>
    public static async Task<(List<string> Failures, string Summary)> RunAsync(Uri server, IReadOnlyList<CrawlRequest> requests, string authorization)
    {
        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        foreach (var request in requests)
        {
            var response = await SendAsync(server, request, authorization);
            statuses[response.Status] = statuses.GetValueOrDefault(response.Status) + 1;
            if (response.Status >= 500)
            {
                failures.Add($"{request} → {response.Status} {Shorten(response.Body)}");
            }
        }

        return (failures, $"{requests.Count} requests: " + string.Join(", ", statuses.Select(s => $"{s.Key} ×{s.Value}")));
    }

    /// <summary>The route with each placeholder in turn replaced by each hostile segment (the others known).</summary>
    private static IEnumerable<string> Paths(string route, string project, string wheel, string version)
    {
        if (!route.Contains('{', StringComparison.Ordinal))
        {
            yield return route;
            yield break;
        }

        foreach (var value in Hostile)
        {
            if (route.Contains("{p}", StringComparison.Ordinal))
            {
                yield return Fill(route, value, wheel, version);
            }

            if (route.Contains("{f}", StringComparison.Ordinal))
            {
                yield return Fill(route, project, value, version);
            }

            if (route.Contains("{v}", StringComparison.Ordinal))
            {
                yield return Fill(route, project, wheel, value);
            }
        }
    }

    private static string Fill(string route, string project, string file, string version) =>
        route.Replace("{p}", project, StringComparison.Ordinal).Replace("{f}", file, StringComparison.Ordinal).Replace("{v}", version, StringComparison.Ordinal);

    private static string Method(string route) => route.EndsWith("yank", StringComparison.Ordinal) ? "POST" : "DELETE";

    /// <summary>Bodies an upload or a management call may get instead of what clients send.</summary>
    private static IEnumerable<(string Path, string? ContentType, byte[] Body)> Bodies(string project, string wheel, string version)
    {
        byte[][] bodies = [[], "{"u8.ToArray(), "null"u8.ToArray(), "{\"reason\": 5}"u8.ToArray(), "{\"reason\": \"\\ud800\"}"u8.ToArray(), [0xff, 0xfe, 0x00], Encoding.UTF8.GetBytes(new string('[', 5000))];
        string?[] types = [null, "application/json", "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=x",
            "multipart/form-data; boundary=\"" + new string('b', 200) + "\"", "application/x-www-form-urlencoded", "text/plain; charset=nonsense"];
        string[] paths = ["/legacy/", "/", $"/api/projects/{project}/files/{wheel}/yank", $"/api/projects/{project}/releases/{version}/unyank"];
        foreach (var path in paths)
        {
            foreach (var type in types)
            {
                foreach (var body in bodies)
                {
                    yield return (path, type, body);
                }
            }
        }

        // A multipart body that ends early, and one whose only part has no name.
        yield return ("/legacy/", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\":action\"\r\n\r\nfile_upload"u8.ToArray());
        yield return ("/legacy/", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data\r\n\r\nv\r\n--x--\r\n"u8.ToArray());
        yield return ("/legacy/", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"content\"; filename=\"..%2f..%2fx.whl\"\r\n\r\nPK\r\n--x--\r\n"u8.ToArray());
    }

    private static Task<RawResponse> SendAsync(Uri server, CrawlRequest request, string authorization)
    {
        var headers = new List<(string, string)>();
        if (request.Accept is not null)
        {
            headers.Add(("Accept", request.Accept));
        }

        if (request.Authorized)
        {
            headers.Add(("Authorization", authorization));
        }

        if (request.ContentType is not null)
        {
            headers.Add(("Content-Type", request.ContentType));
        }

        return RawHttp.SendAsync(server, request.Method, request.Target, headers, request.Body);
    }

    internal static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;
}

/// <summary>One request of the crawl; prints as the failure message shows it.</summary>
public sealed record CrawlRequest(string Method, string Target, bool Authorized = false, string? Accept = null, string? ContentType = null, byte[]? Body = null)
{
    public override string ToString() =>
        $"{Method} {Crawler.Shorten(Target)}"
        + (Authorized ? " (authorized)" : "")
        + (Accept is null ? "" : $" Accept: {Crawler.Shorten(Accept)}")
        + (ContentType is null ? "" : $" Content-Type: {Crawler.Shorten(ContentType)}")
        + (Body is null ? "" : $" body {Body.Length} bytes");
}
