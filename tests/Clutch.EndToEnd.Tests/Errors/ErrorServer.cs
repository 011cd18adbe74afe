using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests.Errors;

/// <summary>
/// A server with one dropped-in project (<c>e2e-err</c> 1.0, no owner), an admin and a plain user:
/// enough to reach every error answer of the management and JSON APIs.
/// </summary>
public class ErrorServer : ClutchServer
{
    public const string Project = "e2e-err";
    public const string Wheel = "e2e_err-1.0-py3-none-any.whl";
    public const string Admin = "admin";
    public const string User = "bob";
    public const string Password = "e2e error answers password";

    private readonly Lazy<Task> accounts;

    public ErrorServer() => accounts = new(AddAccountsAsync);

    /// <summary>Adds the users (once) and waits until the dropped-in wheel is listed.</summary>
    public Task ReadyAsync() => accounts.Value;

    private async Task AddAccountsAsync()
    {
        (await RunCliAsync(["user", "add", Admin, "--admin", "--password-stdin", "--root", PackagesDir], Password + "\n")).AssertSuccess();
        await AddUserAsync(User, Password);
        Assert.True(await WaitUntilAsync(Project, Wheel, listed: true, TimeSpan.FromSeconds(15)), Output);
    }

    /// <summary>A small well-formed wheel, written without Python: these tests are about HTTP answers.</summary>
    protected override Task SeedAsync(string packagesDir)
    {
        using var zip = ZipFile.Open(Path.Combine(packagesDir, Wheel), ZipArchiveMode.Create);
        Add(zip, "e2e_err/__init__.py", "");
        Add(zip, "e2e_err-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: e2e-err\nVersion: 1.0\nSummary: errors\n");
        Add(zip, "e2e_err-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
        Add(zip, "e2e_err-1.0.dist-info/RECORD", "e2e_err/__init__.py,,\ne2e_err-1.0.dist-info/METADATA,,\ne2e_err-1.0.dist-info/WHEEL,,\ne2e_err-1.0.dist-info/RECORD,,\n");
        return Task.CompletedTask;
    }

    /// <summary>Sends a request as <paramref name="user"/> (none: anonymous) and reads what came back.</summary>
    public async Task<Answer> SendAsync(HttpMethod method, string path, string? user = null, string password = Password, string? json = null)
    {
        using var request = new HttpRequestMessage(method, BaseUrl + path);
        if (user is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await HttpClient.SendAsync(request);
        return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(), response.Headers);
    }

    private static void Add(ZipArchive zip, string name, string text)
    {
        using var stream = zip.CreateEntry(name).Open();
        stream.Write(Encoding.UTF8.GetBytes(text));
    }
}

/// <summary>One response: status, media type, body and headers.</summary>
public sealed record Answer(int Status, string? MediaType, string Body, HttpResponseHeaders Headers)
{
    /// <summary>Asserts an RFC 9457 problem with <paramref name="status"/> whose detail contains <paramref name="detail"/>.</summary>
    public string AssertProblem(int status, string detail)
    {
        var shown = $"→ {Status} {MediaType}: {Body}";
        Assert.True(Status == status, $"expected {status} {shown}");
        Assert.True(MediaType == "application/problem+json", $"expected application/problem+json {shown}");
        using var problem = JsonDocument.Parse(Body);
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        var text = problem.RootElement.GetProperty("detail").GetString() ?? "";
        Assert.True(text.Contains(detail, StringComparison.Ordinal), $"detail '{text}' does not contain '{detail}'");
        return text;
    }
}
