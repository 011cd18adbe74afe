using System.Net;
using System.Text.RegularExpressions;

namespace Clutch.EndToEnd.Tests.Harness;

/// <summary>A browser's forms over plain HTTP: the antiforgery token read from the page the form is on, and the posted fields.</summary>
public static partial class BrowserForms
{
    public const string TokenField = "__antiforgery";

    /// <summary>The antiforgery token of the form at <paramref name="url"/> (relative to the client's base address, or absolute).</summary>
    public static async Task<string> TokenAsync(HttpClient browser, string url)
    {
        var html = await browser.GetStringAsync(url);
        var match = TokenInput().Match(html);
        Assert.True(match.Success, $"no antiforgery field at {url}: {html}");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>The token field of a page already read.</summary>
    public static string TokenIn(string html) => WebUtility.HtmlDecode(TokenInput().Match(html).Groups[1].Value);

    public static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    /// <summary>The secret a token page shows once, or "".</summary>
    public static string NewTokenIn(string html) => NewToken().Match(html).Groups[1].Value;

    [GeneratedRegex("""<input type="hidden" name="__antiforgery" value="([^"]+)">""")]
    private static partial Regex TokenInput();

    [GeneratedRegex("""<code id="new-token">(clutch_[A-Za-z0-9_-]+)</code>""")]
    private static partial Regex NewToken();
}
