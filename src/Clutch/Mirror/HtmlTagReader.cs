using System.Net;

namespace Clutch.Mirror;

/// <summary>
/// A lenient reader of the few HTML elements a simple page is made of: the anchors (attributes and
/// text), the title, <c>&lt;base href&gt;</c> and <c>&lt;meta&gt;</c>. Tag and attribute names are
/// case-insensitive, attribute values quoted, single-quoted or bare, entities decoded; comments,
/// doctypes, scripts and styles are skipped; an unclosed anchor ends where the next one starts.
/// Anything else is ignored rather than refused: upstream pages are written by many programs.
/// </summary>
internal static class HtmlTagReader
{
    /// <summary>What a page is made of.</summary>
    internal sealed record HtmlParts(string? Title, string? BaseHref, IReadOnlyList<HtmlElement> Metas, IReadOnlyList<HtmlElement> Anchors);

    /// <summary>An element's attributes (lower-case names, decoded values; the first of a repeated name wins) and, for anchors, its decoded text.</summary>
    internal sealed record HtmlElement(IReadOnlyDictionary<string, string> Attributes, string Text)
    {
        public string? this[string name] => Attributes.TryGetValue(name, out var value) ? value : null;
    }

    public static HtmlParts Read(string html)
    {
        string? title = null;
        string? baseHref = null;
        var metas = new List<HtmlElement>();
        var anchors = new List<HtmlElement>();
        var i = 0;
        while (i < html.Length)
        {
            var lt = html.IndexOf('<', i);
            if (lt < 0 || lt + 1 >= html.Length)
            {
                break;
            }

            var next = html[lt + 1];
            if (string.CompareOrdinal(html, lt, "<!--", 0, 4) == 0)
            {
                i = SkipPast(html, lt + 4, "-->");
                continue;
            }

            if (next is '!' or '?' or '/')
            {
                // A doctype, processing instruction or end tag: nothing to read in it.
                i = SkipPast(html, lt + 2, ">");
                continue;
            }

            if (!char.IsAsciiLetter(next))
            {
                i = lt + 1; // A literal '<' in text.
                continue;
            }

            var nameEnd = lt + 1;
            while (nameEnd < html.Length && char.IsAsciiLetterOrDigit(html[nameEnd]))
            {
                nameEnd++;
            }

            var name = html[(lt + 1)..nameEnd].ToLowerInvariant();
            var attributes = ReadAttributes(html, nameEnd, out i);
            switch (name)
            {
                case "a":
                    var textEnd = AnchorTextEnd(html, i);
                    anchors.Add(new HtmlElement(attributes, TextOf(html, i, textEnd)));
                    i = textEnd;
                    break;
                case "title" when title is null:
                    var titleEnd = IndexOfEndTag(html, i, "title");
                    title = Decode(html[i..titleEnd]);
                    i = titleEnd;
                    break;
                case "base" when baseHref is null && attributes.TryGetValue("href", out var href):
                    baseHref = href;
                    break;
                case "meta":
                    metas.Add(new HtmlElement(attributes, ""));
                    break;
                case "script" or "style":
                    // Raw text: a '<a' inside is not a link.
                    i = IndexOfEndTag(html, i, name);
                    break;
            }
        }

        return new HtmlParts(title, baseHref, metas, anchors);
    }

    /// <summary>Reads attributes from just after a tag's name to just after its '>' (<paramref name="end"/>).</summary>
    private static Dictionary<string, string> ReadAttributes(string html, int p, out int end)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            while (p < html.Length && (char.IsWhiteSpace(html[p]) || html[p] == '/'))
            {
                p++;
            }

            if (p >= html.Length)
            {
                end = p;
                return attributes;
            }

            if (html[p] == '>')
            {
                end = p + 1;
                return attributes;
            }

            var nameStart = p;
            // The first character belongs to the name even when it is '=' or a quote (HTML's rule), so this always moves on.
            p++;
            while (p < html.Length && !char.IsWhiteSpace(html[p]) && html[p] is not ('/' or '>' or '='))
            {
                p++;
            }

            var name = html[nameStart..p].ToLowerInvariant();
            while (p < html.Length && char.IsWhiteSpace(html[p]))
            {
                p++;
            }

            var value = "";
            if (p < html.Length && html[p] == '=')
            {
                p++;
                while (p < html.Length && char.IsWhiteSpace(html[p]))
                {
                    p++;
                }

                if (p < html.Length && html[p] is '"' or '\'')
                {
                    var quote = html[p];
                    var close = html.IndexOf(quote, p + 1);
                    var valueEnd = close < 0 ? html.Length : close;
                    value = html[(p + 1)..valueEnd];
                    p = close < 0 ? html.Length : close + 1;
                }
                else
                {
                    var valueStart = p;
                    while (p < html.Length && !char.IsWhiteSpace(html[p]) && html[p] != '>')
                    {
                        p++;
                    }

                    value = html[valueStart..p];
                }
            }

            attributes.TryAdd(name, WebUtility.HtmlDecode(value));
        }
    }

    /// <summary>Where an anchor's text ends: at its <c>&lt;/a&gt;</c>, or at the next anchor when it was left open.</summary>
    private static int AnchorTextEnd(string html, int start)
    {
        var close = IndexOfEndTag(html, start, "a");
        var p = start;
        while (true)
        {
            var open = html.IndexOf("<a", p, close - p, StringComparison.OrdinalIgnoreCase);
            if (open < 0)
            {
                return close;
            }

            if (open + 2 < html.Length && (char.IsWhiteSpace(html[open + 2]) || html[open + 2] == '>'))
            {
                return open;
            }

            p = open + 2;
        }
    }

    /// <summary>The index of <c>&lt;/name</c> (followed by '>', '/' or white space) from <paramref name="start"/>, or the end of the text.</summary>
    private static int IndexOfEndTag(string html, int start, string name)
    {
        var p = start;
        while (true)
        {
            var at = html.IndexOf("</" + name, p, StringComparison.OrdinalIgnoreCase);
            if (at < 0)
            {
                return html.Length;
            }

            var after = at + 2 + name.Length;
            if (after >= html.Length || html[after] is '>' or '/' || char.IsWhiteSpace(html[after]))
            {
                return at;
            }

            p = after;
        }
    }

    /// <summary>The text between two positions with any tags inside dropped, entities decoded and white space trimmed.</summary>
    private static string TextOf(string html, int start, int end)
    {
        var segment = html[start..end];
        if (!segment.Contains('<', StringComparison.Ordinal))
        {
            return Decode(segment);
        }

        var text = new System.Text.StringBuilder(segment.Length);
        var inTag = false;
        foreach (var c in segment)
        {
            if (c == '<')
            {
                inTag = true;
            }
            else if (c == '>' && inTag)
            {
                inTag = false;
            }
            else if (!inTag)
            {
                text.Append(c);
            }
        }

        return Decode(text.ToString());
    }

    private static string Decode(string text) => WebUtility.HtmlDecode(text).Trim();

    private static int SkipPast(string html, int start, string terminator)
    {
        var at = html.IndexOf(terminator, start, StringComparison.Ordinal);
        return at < 0 ? html.Length : at + terminator.Length;
    }
}
