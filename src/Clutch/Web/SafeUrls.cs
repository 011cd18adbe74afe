namespace Clutch.Web;

/// <summary>
/// Which URLs from package metadata may become links. Metadata is written by whoever uploads, so a
/// URL is a link only when its scheme is on a short list; everything else (<c>javascript:</c>,
/// <c>data:</c>, <c>vbscript:</c>, <c>file:</c>, …) is shown as text. The scheme is read the way a
/// browser reads it: leading spaces and control characters dropped, tabs and newlines inside ignored.
/// </summary>
public static class SafeUrls
{
    /// <summary>True for an absolute <c>http</c> or <c>https</c> URL (project URLs, Home-page).</summary>
    public static bool IsWebLink(string? url) => Scheme(url) is "http" or "https";

    /// <summary>
    /// True for what a README may link to: <c>http</c>, <c>https</c>, <c>mailto</c>, or a URL with no
    /// scheme (relative, or <c>//host/…</c>).
    /// </summary>
    public static bool IsReadmeLink(string? url) => Scheme(url) is "" or "http" or "https" or "mailto";

    /// <summary>
    /// The lower-cased scheme of <paramref name="url"/>; "" when it has none (relative);
    /// null when it is empty or its scheme is not well-formed (never a link).
    /// </summary>
    private static string? Scheme(string? url)
    {
        if (url is null)
        {
            return null;
        }

        // What a browser's URL parser ignores: C0 controls and spaces at either end, tab/CR/LF anywhere.
        var text = url.Trim(TrimmedChars).Replace("\t", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);
        if (text.Length == 0)
        {
            return null;
        }

        var end = text.IndexOfAny([':', '/', '?', '#', '\\']);
        if (end < 0 || text[end] != ':')
        {
            return "";
        }

        var scheme = text[..end];
        if (scheme.Length == 0 || !char.IsAsciiLetter(scheme[0]) || !scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
        {
            return null;
        }

        return scheme.ToLowerInvariant();
    }

    private static readonly char[] TrimmedChars = Enumerable.Range(0, 0x21).Select(i => (char)i).ToArray();
}
