using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Clutch.Simple;

/// <summary>The representations of a simple page (PEP 691).</summary>
public enum SimpleFormat
{
    None,
    Json,
    HtmlV1,
    TextHtml,
}

/// <summary>
/// Picks a simple-page representation from <c>?format=</c> or the Accept header (RFC 9110):
/// each representation takes the q of the most specific range that matches it (so
/// <c>*/*, x;q=0</c> still refuses x); the highest q wins; at equal q an exactly named type beats
/// one matched by a wildcard; among exact types JSON is preferred, and when only wildcards match,
/// text/html is answered so browsers and old clients see what they expect.
/// </summary>
public static class ContentNegotiation
{
    public const string JsonV1 = "application/vnd.pypi.simple.v1+json";
    public const string HtmlV1Type = "application/vnd.pypi.simple.v1+html";
    public const string TextHtmlType = "text/html";
    private const string JsonLatest = "application/vnd.pypi.simple.latest+json";
    private const string HtmlLatest = "application/vnd.pypi.simple.latest+html";

    public static SimpleFormat Choose(StringValues accept, string? format)
    {
        if (!string.IsNullOrEmpty(format))
        {
            return FromFormatParameter(format);
        }

        if (StringValues.IsNullOrEmpty(accept))
        {
            return SimpleFormat.TextHtml;
        }

        // Per representation: specificity of the best-matching range (0 none, 1 */*, 2 type/*, 3 exact) and its q.
        Span<int> specificity = stackalloc int[4];
        Span<double> quality = stackalloc double[4];
        foreach (var header in accept)
        {
            foreach (var range in (header ?? "").Split(','))
            {
                Apply(range, specificity, quality);
            }
        }

        var best = SimpleFormat.None;
        for (var f = SimpleFormat.Json; f <= SimpleFormat.TextHtml; f++)
        {
            if (specificity[(int)f] == 0 || quality[(int)f] <= 0)
            {
                continue;
            }

            if (best == SimpleFormat.None || Better(f, best, specificity, quality))
            {
                best = f;
            }
        }

        return best;
    }

    private static bool Better(SimpleFormat candidate, SimpleFormat current, Span<int> specificity, Span<double> quality)
    {
        var (qc, qb) = (quality[(int)candidate], quality[(int)current]);
        if (qc != qb)
        {
            return qc > qb;
        }

        var (ec, eb) = (specificity[(int)candidate] == 3, specificity[(int)current] == 3);
        if (ec != eb)
        {
            return ec;
        }

        // Same q, same kind of match: exact prefers JSON (earlier enum), wildcard prefers text/html (later).
        return !ec && candidate > current;
    }

    private static SimpleFormat FromFormatParameter(string format) => format.Trim().ToLowerInvariant() switch
    {
        JsonV1 or JsonLatest or "json" => SimpleFormat.Json,
        HtmlV1Type or HtmlLatest => SimpleFormat.HtmlV1,
        TextHtmlType or "html" => SimpleFormat.TextHtml,
        _ => SimpleFormat.None,
    };

    private static void Apply(string range, Span<int> specificity, Span<double> quality)
    {
        var parts = range.Split(';');
        var type = parts[0].Trim().ToLowerInvariant();
        if (type.Length == 0)
        {
            return;
        }

        var q = 1.0;
        for (var i = 1; i < parts.Length; i++)
        {
            var p = parts[i].Trim();
            if (p.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                && double.TryParse(p.AsSpan(2), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
            {
                q = Math.Clamp(parsed, 0, 1);
            }
        }

        switch (type)
        {
            case JsonV1 or JsonLatest:
                Set(SimpleFormat.Json, 3, q, specificity, quality);
                break;
            case HtmlV1Type or HtmlLatest:
                Set(SimpleFormat.HtmlV1, 3, q, specificity, quality);
                break;
            case TextHtmlType:
                Set(SimpleFormat.TextHtml, 3, q, specificity, quality);
                break;
            case "application/*":
                Set(SimpleFormat.Json, 2, q, specificity, quality);
                Set(SimpleFormat.HtmlV1, 2, q, specificity, quality);
                break;
            case "text/*":
                Set(SimpleFormat.TextHtml, 2, q, specificity, quality);
                break;
            case "*/*":
                Set(SimpleFormat.Json, 1, q, specificity, quality);
                Set(SimpleFormat.HtmlV1, 1, q, specificity, quality);
                Set(SimpleFormat.TextHtml, 1, q, specificity, quality);
                break;
        }
    }

    private static void Set(SimpleFormat format, int level, double q, Span<int> specificity, Span<double> quality)
    {
        var i = (int)format;
        if (level > specificity[i] || (level == specificity[i] && q > quality[i]))
        {
            specificity[i] = level;
            quality[i] = q;
        }
    }

    public static string ContentType(SimpleFormat format) => format switch
    {
        SimpleFormat.Json => JsonV1,
        SimpleFormat.HtmlV1 => HtmlV1Type,
        _ => "text/html; charset=utf-8",
    };
}
