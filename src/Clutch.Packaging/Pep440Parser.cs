
using System.Text;

namespace Clutch.Packaging;

/// <summary>The parsed parts of a valid PEP 440 version (numbers already stripped of leading zeros).</summary>
internal sealed class Pep440Parts
{
    public VersionNumber Epoch;

    /// <summary>Release numbers with trailing zeros removed (the comparison key; <c>1.0</c> is <c>[1]</c>).</summary>
    public VersionNumber[] ReleaseKey = [];

    /// <summary>-1: dev-only (sorts before any pre), 0: a pre-release, 1: none (sorts after any pre).</summary>
    public int PreRank;

    /// <summary><c>a</c>, <c>b</c> or <c>rc</c> (or, for Unicode look-alikes Python's regex accepts, the lower-cased label).</summary>
    public string? PreLabel;
    public VersionNumber PreNumber;
    public bool HasPost;

    /// <summary><c>post</c>, or <c>poſt</c> when spelled with U+017F (packaging keeps that label in its sort key).</summary>
    public string PostLabel = "post";
    public VersionNumber PostNumber;
    public bool HasDev;
    public VersionNumber DevNumber;

    /// <summary>Local segments; null when there is none. Numeric segments have a null string.</summary>
    public LocalSegment[]? Local;
}

internal readonly record struct LocalSegment(VersionNumber Number, string? Text);

/// <summary>
/// A hand-written parser that accepts exactly the language of packaging's <c>VERSION_PATTERN</c>
/// (<c>^\s*v?(epoch!)?release(pre)?(post)?(dev)?(+local)?\s*$</c>, case-insensitive). Every
/// optional group of that pattern either is followed by an optional separator or cannot be
/// confused with its successor, so greedy matching never needs to backtrack.
/// </summary>
internal static class Pep440Parser
{
    public static Pep440Parts? TryParse(string text, out string normalized)
    {
        normalized = "";
        var s = text.AsSpan();
        var start = 0;
        var end = s.Length;
        while (start < end && IsPyWhitespace(s[start]))
        {
            start++;
        }

        while (end > start && IsPyWhitespace(s[end - 1]))
        {
            end--;
        }

        s = s[start..end];
        var p = 0;
        if (p < s.Length && (s[p] | 0x20) == 'v')
        {
            p++;
        }

        var parts = new Pep440Parts();
        var sb = new CharBuffer(stackalloc char[64]);

        // Epoch or first release number.
        var first = ReadDigits(s, ref p);
        if (first.IsEmpty)
        {
            return null;
        }

        if (p < s.Length && s[p] == '!')
        {
            p++;
            parts.Epoch = ToBig(first);
            if (!parts.Epoch.IsZero)
            {
                AppendNumber(ref sb, first);
                sb.Append('!');
            }

            first = ReadDigits(s, ref p);
            if (first.IsEmpty)
            {
                return null;
            }
        }

        // Release: digits ('.' digits)*; a '.' not followed by a digit belongs to what follows.
        Span<Range> release = stackalloc Range[16];
        var releaseCount = 0;
        var overflow = (List<Range>?)null;
        var firstStart = p - first.Length;
        AddRange(ref release, ref releaseCount, ref overflow, new Range(firstStart, p));
        AppendNumber(ref sb, first);
        while (p + 1 < s.Length && s[p] == '.' && char.IsAsciiDigit(s[p + 1]))
        {
            p++;
            var numStart = p;
            var digits = ReadDigits(s, ref p);
            AddRange(ref release, ref releaseCount, ref overflow, new Range(numStart, p));
            sb.Append('.');
            AppendNumber(ref sb, digits);
        }

        parts.ReleaseKey = BuildReleaseKey(s, release[..Math.Min(releaseCount, 16)], overflow, releaseCount);

        // Pre-release: [-_.]? (alpha|a|beta|b|preview|pre|c|rc) [-_.]? digits?
        parts.PreRank = 1;
        {
            var q = p;
            SkipSeparator(s, ref q);
            var label = MatchPreLabel(s, ref q);
            if (label is not null)
            {
                SkipSeparator(s, ref q);
                var n = ReadDigits(s, ref q);
                parts.PreRank = 0;
                parts.PreLabel = label;
                parts.PreNumber = ToBig(n);
                sb.Append(label);
                AppendNumberOrZero(ref sb, n);
                p = q;
            }
        }

        // Post-release: -digits | [-_.]? (post|rev|r) [-_.]? digits?
        if (p + 1 < s.Length && s[p] == '-' && char.IsAsciiDigit(s[p + 1]))
        {
            p++;
            var n = ReadDigits(s, ref p);
            parts.HasPost = true;
            parts.PostNumber = ToBig(n);
            sb.Append(".post");
            AppendNumber(ref sb, n);
        }
        else
        {
            var q = p;
            SkipSeparator(s, ref q);
            var postStart = q;
            if (MatchPostLabel(s, ref q))
            {
                if (s[postStart..q].Contains('\u017f'))
                {
                    parts.PostLabel = "po\u017ft";
                }

                SkipSeparator(s, ref q);
                var n = ReadDigits(s, ref q);
                parts.HasPost = true;
                parts.PostNumber = ToBig(n);
                sb.Append(".post");
                AppendNumberOrZero(ref sb, n);
                p = q;
            }
        }

        // Dev release: [-_.]? dev [-_.]? digits?
        {
            var q = p;
            SkipSeparator(s, ref q);
            if (MatchWord(s, ref q, "dev"))
            {
                SkipSeparator(s, ref q);
                var n = ReadDigits(s, ref q);
                parts.HasDev = true;
                parts.DevNumber = ToBig(n);
                sb.Append(".dev");
                AppendNumberOrZero(ref sb, n);
                p = q;
            }
        }

        if (parts.PreRank == 1 && !parts.HasPost && parts.HasDev)
        {
            parts.PreRank = -1;
        }

        // Local: + [a-z0-9]+ ([-_.][a-z0-9]+)*
        if (p < s.Length && s[p] == '+')
        {
            p++;
            var segments = new List<LocalSegment>(4);
            sb.Append('+');
            while (true)
            {
                var segStart = p;
                while (p < s.Length && IsLocalChar(s[p]))
                {
                    p++;
                }

                if (p == segStart)
                {
                    return null;
                }

                var seg = s[segStart..p];
                if (segments.Count > 0)
                {
                    sb.Append('.');
                }

                if (IsAllDigits(seg))
                {
                    segments.Add(new LocalSegment(ToBig(seg), null));
                    AppendNumber(ref sb, seg);
                }
                else
                {
                    var lower = PythonLower(seg);
                    segments.Add(new LocalSegment(default, lower));
                    sb.Append(lower);
                }

                if (p + 1 < s.Length && s[p] is '-' or '_' or '.' && IsLocalChar(s[p + 1]))
                {
                    p++;
                    continue;
                }

                break;
            }

            parts.Local = [.. segments];
        }

        if (p != s.Length)
        {
            return null;
        }

        // Most versions are already normalized: keep the caller's string instead of a copy.
        normalized = sb.Written.SequenceEqual(text) ? text : sb.ToString();
        sb.Dispose();
        return parts;
    }

    /// <summary>Python's <c>\s</c> for str patterns: Unicode whitespace, including U+001C..U+001F.</summary>
    internal static bool IsPyWhitespace(char c) => char.IsWhiteSpace(c) || c is >= '\u001c' and <= '\u001f';

    private static void AddRange(ref Span<Range> buffer, ref int count, ref List<Range>? overflow, Range r)
    {
        if (count < buffer.Length)
        {
            buffer[count] = r;
        }
        else
        {
            if (overflow is null)
            {
                overflow = new List<Range>(buffer.Length * 2);
                foreach (var x in buffer)
                {
                    overflow.Add(x);
                }
            }

            overflow.Add(r);
        }

        count++;
    }

    private static VersionNumber[] BuildReleaseKey(ReadOnlySpan<char> s, ReadOnlySpan<Range> small, List<Range>? overflow, int count)
    {
        // Trailing zeros do not count: 1.0 == 1.0.0 == 1.
        var last = count - 1;
        while (last >= 0 && IsZero(s[overflow is null ? small[last] : overflow[last]]))
        {
            last--;
        }

        if (last < 0)
        {
            return [];
        }

        var key = new VersionNumber[last + 1];
        for (var i = 0; i <= last; i++)
        {
            key[i] = ToBig(s[overflow is null ? small[i] : overflow[i]]);
        }

        return key;
    }

    private static bool IsZero(ReadOnlySpan<char> digits)
    {
        foreach (var c in digits)
        {
            if (c != '0')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAllDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Python's case-insensitive <c>[a-z0-9]</c> also matches U+0130, U+0131, U+017F and U+212A.
    /// </summary>
    private static bool IsLocalChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '\u0130' or '\u0131' or '\u017f' or '\u212a';

    /// <summary><c>str.lower()</c> for the characters a local segment may hold.</summary>
    private static string PythonLower(ReadOnlySpan<char> s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            switch (c)
            {
                case >= 'A' and <= 'Z':
                    sb.Append((char)(c + 32));
                    break;
                case '\u212a':
                    sb.Append('k');
                    break;
                case '\u0130':
                    sb.Append("i\u0307");
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        return sb.ToString();
    }

    private static ReadOnlySpan<char> ReadDigits(ReadOnlySpan<char> s, ref int p)
    {
        var start = p;
        while (p < s.Length && char.IsAsciiDigit(s[p]))
        {
            p++;
        }

        return s[start..p];
    }

    private static void SkipSeparator(ReadOnlySpan<char> s, ref int p)
    {
        if (p < s.Length && s[p] is '-' or '_' or '.')
        {
            p++;
        }
    }

    private static string? MatchPreLabel(ReadOnlySpan<char> s, ref int p)
    {
        var start = p;
        if (MatchWord(s, ref p, "alpha") || MatchWord(s, ref p, "a"))
        {
            return "a";
        }

        if (MatchWord(s, ref p, "beta") || MatchWord(s, ref p, "b"))
        {
            return "b";
        }

        if (MatchWord(s, ref p, "preview"))
        {
            // Only "preview" has an 'i', so only it can be spelled with U+0130/U+0131, which
            // packaging then keeps, lower-cased, as its own label.
            var word = s[start..p];
            return word.IndexOfAny('\u0130', '\u0131') < 0 ? "rc" : PythonLower(word);
        }

        return MatchWord(s, ref p, "pre") || MatchWord(s, ref p, "c") || MatchWord(s, ref p, "rc") ? "rc" : null;
    }

    private static bool MatchPostLabel(ReadOnlySpan<char> s, ref int p)
        => MatchWord(s, ref p, "post") || MatchWord(s, ref p, "rev") || MatchWord(s, ref p, "r");

    /// <summary>Matches a lower-case ASCII word case-insensitively at <paramref name="p"/>.</summary>
    private static bool MatchWord(ReadOnlySpan<char> s, ref int p, string word)
    {
        if (s.Length - p < word.Length)
        {
            return false;
        }

        for (var i = 0; i < word.Length; i++)
        {
            var c = s[p + i];
            if ((c | 0x20) != word[i] && !(word[i] == 'i' && c is '\u0130' or '\u0131') && !(word[i] == 's' && c == '\u017f'))
            {
                return false;
            }
        }

        p += word.Length;
        return true;
    }

    private static void AppendNumber(ref CharBuffer sb, scoped ReadOnlySpan<char> digits)
    {
        var i = 0;
        while (i < digits.Length - 1 && digits[i] == '0')
        {
            i++;
        }

        sb.Append(digits[i..]);
    }

    private static void AppendNumberOrZero(ref CharBuffer sb, scoped ReadOnlySpan<char> digits)
    {
        if (digits.IsEmpty)
        {
            sb.Append('0');
        }
        else
        {
            AppendNumber(ref sb, digits);
        }
    }

    internal static VersionNumber ToBig(ReadOnlySpan<char> digits) => VersionNumber.Parse(digits);
}
