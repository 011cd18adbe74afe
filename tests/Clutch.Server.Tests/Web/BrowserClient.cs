using System.Net;
using System.Text.RegularExpressions;
using Clutch.Server.Tests.Harness;

namespace Clutch.Server.Tests.Web;

/// <summary>
/// A browser's side of the pages, over plain HTTP: one cookie jar, no automatic redirects, and forms
/// posted with the antiforgery token read from the page they are on (as a browser submits them).
/// </summary>
public sealed partial class BrowserClient : IDisposable
{
    public const string TokenField = "__antiforgery";

    public BrowserClient(InProcessServer server)
    {
        Handler = new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = Cookies, UseCookies = true };
        Http = new HttpClient(Handler) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public CookieContainer Cookies { get; } = new();

    public SocketsHttpHandler Handler { get; }

    public HttpClient Http { get; }

    public Task<HttpResponseMessage> GetAsync(string path) => Http.GetAsync(path);

    /// <summary>Signs in through the form; returns the answer to the POST (303 on success).</summary>
    public async Task<HttpResponseMessage> SignInAsync(string user, string password = UploadHarness.Password, string returnUrl = "/")
    {
        var token = await FormTokenAsync("/account/login");
        return await PostAsync("/account/login", new() { ["username"] = user, ["password"] = password, ["returnUrl"] = returnUrl, [TokenField] = token });
    }

    /// <summary>The antiforgery token of the form on <paramref name="pagePath"/>.</summary>
    public async Task<string> FormTokenAsync(string pagePath)
    {
        using var page = await Http.GetAsync(pagePath);
        var html = await page.Content.ReadAsStringAsync();
        var match = TokenInput().Match(html);
        Assert.True(match.Success, $"no antiforgery field on {pagePath} ({(int)page.StatusCode}): {html}");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>Submits the form on <paramref name="pagePath"/> to <paramref name="action"/>, with that page's antiforgery token.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string pagePath, string action, Dictionary<string, string> fields)
    {
        fields[TokenField] = await FormTokenAsync(pagePath);
        return await PostAsync(action, fields);
    }

    public Task<HttpResponseMessage> PostAsync(string path, Dictionary<string, string> fields) =>
        Http.PostAsync(path, new FormUrlEncodedContent(fields));

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("""<input type="hidden" name="__antiforgery" value="([^"]+)">""")]
    private static partial Regex TokenInput();
}
