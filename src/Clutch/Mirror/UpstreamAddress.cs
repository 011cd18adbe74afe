using System.Net.Http.Headers;
using System.Text;

namespace Clutch.Mirror;

/// <summary>
/// An upstream index URL taken apart once: the URL without credentials (what is requested, shown
/// and logged), the credentials as a Basic <c>Authorization</c> header, and the host they may be
/// sent to. Credentials never leave this type except as that header.
/// </summary>
public sealed class UpstreamAddress
{
    private UpstreamAddress(Uri index, AuthenticationHeaderValue? authorization)
    {
        Index = index;
        Authorization = authorization;
        Host = index.GetLeftPart(UriPartial.Authority);
    }

    /// <summary>The index URL without credentials, query or fragment, ending in exactly one '/'.</summary>
    public Uri Index { get; }

    /// <summary><c>scheme://host[:port]</c> of the index, without credentials: what messages name.</summary>
    public string Host { get; }

    /// <summary>The Basic credentials from the URL's user information, or null.</summary>
    public AuthenticationHeaderValue? Authorization { get; }

    /// <summary>Takes <paramref name="indexUrl"/> apart; it must be an absolute http or https URL.</summary>
    public static UpstreamAddress From(Uri indexUrl)
    {
        ArgumentNullException.ThrowIfNull(indexUrl);
        if (!indexUrl.IsAbsoluteUri || (indexUrl.Scheme != Uri.UriSchemeHttp && indexUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"Upstream index URL '{Redact(indexUrl)}' is not an absolute http or https URL.", nameof(indexUrl));
        }

        AuthenticationHeaderValue? authorization = null;
        if (indexUrl.UserInfo.Length > 0)
        {
            // The user information arrives percent-encoded ("p%40ss"); Basic auth wants the plain text.
            var colon = indexUrl.UserInfo.IndexOf(':');
            var user = Uri.UnescapeDataString(colon < 0 ? indexUrl.UserInfo : indexUrl.UserInfo[..colon]);
            var password = colon < 0 ? "" : Uri.UnescapeDataString(indexUrl.UserInfo[(colon + 1)..]);
            authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        var path = indexUrl.GetComponents(UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/');
        var index = new Uri($"{indexUrl.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped)}/{(path.Length == 0 ? "" : path + "/")}");
        return new UpstreamAddress(index, authorization);
    }

    /// <summary>The page of a project: <c>{index}/{project}/</c>, with exactly one '/' between.</summary>
    public Uri ProjectPage(string normalizedProject) => new(Index, Uri.EscapeDataString(normalizedProject) + "/");

    /// <summary>True when <paramref name="url"/> is on the index's scheme, host and port, so the credentials may go with it.</summary>
    public bool SameHost(Uri url) =>
        url.IsAbsoluteUri
        && string.Equals(url.Scheme, Index.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(url.IdnHost, Index.IdnHost, StringComparison.OrdinalIgnoreCase)
        && url.Port == Index.Port;

    /// <summary><paramref name="url"/> without its user information (credentials), for messages and logs.</summary>
    public static string Redact(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed) ? Redact(parsed) : url[(url.LastIndexOf('@') + 1)..];

    /// <summary><paramref name="url"/> without its user information (credentials), for messages and logs.</summary>
    public static string Redact(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            // Not parsed as a URL, so no user information to cut out: keep what follows the last '@'.
            var text = url.OriginalString;
            return text[(text.LastIndexOf('@') + 1)..];
        }

        return url.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped);
    }
}
