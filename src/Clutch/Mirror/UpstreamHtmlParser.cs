namespace Clutch.Mirror;

/// <summary>Reads PEP 503 HTML simple pages (with PEP 592 yanks, PEP 629 versions, PEP 658 / 714 metadata).</summary>
public static class UpstreamHtmlParser
{
    private const string TitlePrefix = "Links for ";

    /// <summary>
    /// A project page. <paramref name="pageUrl"/> is where it was fetched from (after redirects):
    /// relative links resolve against it, or against the page's <c>&lt;base href&gt;</c>.
    /// The name is the title's "Links for NAME", else <paramref name="requestedName"/>.
    /// </summary>
    public static UpstreamProjectPage ParseProject(string html, Uri pageUrl, string requestedName)
    {
        var parts = Read(html, pageUrl, out var baseUrl);
        var files = new List<UpstreamFile>(parts.Anchors.Count);
        foreach (var anchor in parts.Anchors)
        {
            if (anchor["href"] is not { Length: > 0 } href || UpstreamPageRules.FileUrl(baseUrl, href, out var fragment) is not { } url)
            {
                continue;
            }

            var filename = anchor.Text.Length > 0 ? anchor.Text : LastSegment(url);
            var (hasMetadata, metadataSha256) = Metadata(anchor["data-core-metadata"] ?? anchor["data-dist-info-metadata"]);
            var yanked = anchor["data-yanked"];
            files.Add(new UpstreamFile(
                filename,
                url,
                HashFromFragment(fragment),
                anchor["data-requires-python"] is { Length: > 0 } requiresPython ? requiresPython : null,
                yanked is not null,
                yanked is { Length: > 0 } ? yanked : null,
                hasMetadata,
                metadataSha256,
                Size: null,
                UploadTime: null));
        }

        var title = parts.Title;
        var name = title is not null && title.StartsWith(TitlePrefix, StringComparison.OrdinalIgnoreCase) && title.Length > TitlePrefix.Length
            ? title[TitlePrefix.Length..].Trim()
            : requestedName;
        return new UpstreamProjectPage(name, files);
    }

    /// <summary>A root page: the anchors' texts (or, for an empty text, the link's last path segment).</summary>
    public static UpstreamRoot ParseRoot(string html, Uri pageUrl)
    {
        var parts = Read(html, pageUrl, out var baseUrl);
        var names = new List<string>(parts.Anchors.Count);
        foreach (var anchor in parts.Anchors)
        {
            var name = anchor.Text.Length > 0
                ? anchor.Text
                : anchor["href"] is { Length: > 0 } href && UpstreamPageRules.FileUrl(baseUrl, href, out _) is { } url ? LastSegment(url) : "";
            if (name.Length > 0)
            {
                names.Add(name);
            }
        }

        return new UpstreamRoot(names);
    }

    private static HtmlTagReader.HtmlParts Read(string html, Uri pageUrl, out Uri baseUrl)
    {
        var parts = HtmlTagReader.Read(html);
        foreach (var meta in parts.Metas)
        {
            if (string.Equals(meta["name"], "pypi:repository-version", StringComparison.OrdinalIgnoreCase))
            {
                UpstreamPageRules.CheckApiVersion(meta["content"], pageUrl);
            }
        }

        baseUrl = parts.BaseHref is { Length: > 0 } baseHref && Uri.TryCreate(pageUrl, baseHref.Trim(), out var declared) ? declared : pageUrl;
        return parts;
    }

    /// <summary>The sha256 in a <c>sha256=HEX</c> fragment, or null (no fragment, another hash, or not hex).</summary>
    private static string? HashFromFragment(string fragment)
    {
        foreach (var part in fragment.Split('&'))
        {
            var eq = part.IndexOf('=');
            if (eq > 0 && part.AsSpan(0, eq).Equals("sha256", StringComparison.OrdinalIgnoreCase))
            {
                return UpstreamPageRules.Sha256(part[(eq + 1)..]);
            }
        }

        return null;
    }

    /// <summary>PEP 658: absent, "false" or empty → none; "true" → served without a hash; "sha256=HEX" → with it; another hash → served, no sha256.</summary>
    private static (bool Has, string? Sha256) Metadata(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            return (false, null);
        }

        var eq = value.IndexOf('=');
        return eq > 0 && value.AsSpan(0, eq).Trim().Equals("sha256", StringComparison.OrdinalIgnoreCase)
            ? (true, UpstreamPageRules.Sha256(value[(eq + 1)..].Trim()))
            : (true, null);
    }

    private static string LastSegment(string url)
    {
        var path = new Uri(url).AbsolutePath.TrimEnd('/');
        return Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
    }
}
