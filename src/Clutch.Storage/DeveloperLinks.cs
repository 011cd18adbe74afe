using System.Text.RegularExpressions;
using Clutch.Packaging;

namespace Clutch.Storage;

/// <summary>Developer links (VCS URLs published as <c>#egg={project}-dev</c>) and their <c>.links</c> files.</summary>
public static partial class DeveloperLinks
{
    /// <summary>The extension of a developer links file: <c>{project}.links</c>.</summary>
    public const string FileExtension = ".links";

    /// <summary>
    /// Parses a <c>.links</c> file: one URL per line; blank lines and <c>#</c> comments ignored; an
    /// origin-style <c>&lt;a href="URL#egg=pkg-dev"&gt;</c> line contributes its href. URLs without an
    /// <c>egg=</c> fragment get <c>#egg={project}-dev</c>.
    /// </summary>
    public static IReadOnlyList<DeveloperLink> Parse(ProjectName project, string text)
    {
        var result = new List<DeveloperLink>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.Contains("href", StringComparison.OrdinalIgnoreCase))
            {
                var match = HrefPattern().Match(line);
                if (!match.Success)
                {
                    continue;
                }

                line = System.Net.WebUtility.HtmlDecode(match.Groups["url"].Value).Trim();
            }
            else if (line.Contains(' ', StringComparison.Ordinal) || line.Contains('\t', StringComparison.Ordinal))
            {
                // "URL  # note": keep the URL.
                line = line.Split([' ', '\t'], 2)[0];
            }

            if (line.Length == 0)
            {
                continue;
            }

            var url = WithEgg(line, project);
            if (seen.Add(url))
            {
                result.Add(new DeveloperLink(project, url));
            }
        }

        return result;
    }

    /// <summary>Appends <c>#egg={project}-dev</c> unless the URL's fragment already names an egg.</summary>
    public static string WithEgg(string url, ProjectName project)
    {
        var hash = url.IndexOf('#', StringComparison.Ordinal);
        if (hash < 0)
        {
            return $"{url}#egg={project.Value}-dev";
        }

        var fragment = url[(hash + 1)..];
        if (fragment.StartsWith("egg=", StringComparison.Ordinal) || fragment.Contains("&egg=", StringComparison.Ordinal))
        {
            return url;
        }

        return fragment.Length == 0 ? $"{url}egg={project.Value}-dev" : $"{url}&egg={project.Value}-dev";
    }

    /// <summary>
    /// Removes credentials (<c>user:pass@</c> or <c>user@</c>) from a URL's authority, for rendering.
    /// URLs without an authority (scp-like <c>git@host:repo</c> has none to strip safely) come back as given.
    /// </summary>
    public static string RedactCredentials(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return url;
        }

        var authorityStart = scheme + 3;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        if (authorityEnd < 0)
        {
            authorityEnd = url.Length;
        }

        var at = url.LastIndexOf('@', authorityEnd - 1, authorityEnd - authorityStart);
        return at < 0 ? url : string.Concat(url.AsSpan(0, authorityStart), url.AsSpan(at + 1));
    }

    [GeneratedRegex("""href\s*=\s*(?:"(?<url>[^"]*)"|'(?<url>[^']*)'|(?<url>[^\s>]+))""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HrefPattern();
}
