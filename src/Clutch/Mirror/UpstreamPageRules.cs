using System.Globalization;

namespace Clutch.Mirror;

/// <summary>What both page parsers decide the same way: hashes, file URLs and the declared API version.</summary>
internal static class UpstreamPageRules
{
    /// <summary>A sha256 as lower-case hex, or null when <paramref name="hex"/> is not 64 hex digits.</summary>
    public static string? Sha256(string? hex) =>
        hex is { Length: 64 } && hex.All(char.IsAsciiHexDigit) ? hex.ToLowerInvariant() : null;

    /// <summary>
    /// <paramref name="href"/> resolved against <paramref name="baseUrl"/>, with the fragment and
    /// any credentials removed (so none reach the catalog); null when it is not an http(s) URL.
    /// The fragment is returned apart (without '#') for the hash it may carry.
    /// </summary>
    public static string? FileUrl(Uri baseUrl, string href, out string fragment)
    {
        fragment = "";
        if (!Uri.TryCreate(baseUrl, href.Trim(), out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            return null;
        }

        fragment = url.Fragment.TrimStart('#');
        return url.GetComponents(UriComponents.HttpRequestUrl, UriFormat.UriEscaped);
    }

    /// <summary>
    /// Refuses a page that declares a major API version other than 1 (PEP 629: a client must not
    /// guess at a format it does not know). No version, or an unreadable one, is taken as 1.
    /// </summary>
    public static void CheckApiVersion(string? version, Uri pageUrl)
    {
        if (string.IsNullOrWhiteSpace(version))
        {
            return;
        }

        var major = version.Split('.')[0].Trim();
        if (int.TryParse(major, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number != 1)
        {
            throw new UpstreamFormatException($"Upstream page {UpstreamAddress.Redact(pageUrl)} declares simple API version {version}; this client reads version 1.");
        }
    }
}
