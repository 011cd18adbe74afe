using Clutch.Storage;

namespace Clutch.Web;

/// <summary>One way to install a project: the tool's name and the command lines to paste.</summary>
public sealed record InstallSnippet(string Tool, string Text);

/// <summary>The install lines of a project page, for this server's address.</summary>
public static class InstallSnippets
{
    /// <summary>
    /// pip, uv, poetry and easy_install against <paramref name="baseUrl"/> (no trailing slash);
    /// <c>--pre</c> when the project has no final release; one <c>pkg @ VCS-URL</c> line per developer link.
    /// </summary>
    public static IReadOnlyList<InstallSnippet> For(string baseUrl, string name, bool preOnly, IReadOnlyList<DeveloperLink> developerLinks)
    {
        var simple = baseUrl + "/simple/";
        var pre = preOnly ? " --pre" : "";
        var snippets = new List<InstallSnippet>
        {
            new("pip", $"pip install{pre} --index-url {simple} {name}"),
            new("uv", $"uv pip install{pre} --index-url {simple} {name}"),
            new("poetry", $"poetry source add --priority=supplemental clutch {simple}\npoetry add{(preOnly ? " --allow-prereleases" : "")} --source clutch {name}"),
            new("easy_install", $"easy_install -f {baseUrl}/links/{name}/ {name}"),
        };
        if (developerLinks.Count > 0)
        {
            var lines = developerLinks.Select(l => $"pip install \"{name} @ {DirectReference(l.Url)}\"");
            snippets.Add(new("pip, development version", string.Join('\n', lines)));
        }

        return snippets;
    }

    /// <summary>
    /// A developer link as a PEP 508 direct reference: credentials removed (never shown), the
    /// <c>egg=</c> part of the fragment dropped (the name comes before the <c>@</c>).
    /// </summary>
    public static string DirectReference(string url)
    {
        url = DeveloperLinks.RedactCredentials(url);
        var hash = url.IndexOf('#', StringComparison.Ordinal);
        if (hash < 0)
        {
            return url;
        }

        var kept = url[(hash + 1)..].Split('&').Where(p => p.Length > 0 && !p.StartsWith("egg=", StringComparison.Ordinal)).ToArray();
        return kept.Length == 0 ? url[..hash] : url[..hash] + "#" + string.Join('&', kept);
    }
}
