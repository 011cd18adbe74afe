using System.Numerics;
using System.Text;

namespace Clutch.Packaging;

/// <summary>The parsed parts of a valid PEP 440 version (numbers already stripped of leading zeros).</summary>
internal sealed class Pep440Parts
{
    public BigInteger Epoch;

    /// <summary>Release numbers with trailing zeros removed (the comparison key; <c>1.0</c> is <c>[1]</c>).</summary>
    public BigInteger[] ReleaseKey = [];

    /// <summary>-1: dev-only (sorts before any pre), 0 a, 1 b, 2 rc, 3 none.</summary>
    public int PreKind;
    public BigInteger PreNumber;
    public bool HasPost;
    public BigInteger PostNumber;
    public bool HasDev;
    public BigInteger DevNumber;

    /// <summary>Local segments; null when there is none. Numeric segments have a null string.</summary>
    public LocalSegment[]? Local;
}

internal readonly record struct LocalSegment(BigInteger Number, string? Text);

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
        var sb = new StringBuilder(s.Length + 8);

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
                AppendNumber(sb, first).Append('!');
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
        AppendNumber(sb, first);
        while (p + 1 < s.Length && s[p] == '.' && char.IsAsciiDigit(s[p + 1]))
        {
            p++;
            var numStart = p;
            var digits = ReadDigits(s, ref p);
            AddRange(ref release, ref releaseCount, ref overflow, new Range(numStart, p));
            AppendNumber(sb.Append('.'), digits);
        }

        parts.ReleaseKey = BuildReleaseKey(s, release[..Math.Min(releaseCount, 16)], overflow, releaseCount);

        // Pre-release: [-_.]? (alpha|a|beta|b|preview|pre|c|rc) [-_.]? digits?
        parts.PreKind = 3;
        {
            var q = p;
            SkipSeparator(s, ref q);
            var kind = MatchPreLabel(s, ref q);
            if (kind >= 0)
            {
                SkipSeparator(s, ref q);
                var n = ReadDigits(s, ref q);
                parts.PreKind = kind;
                parts.PreNumber = ToBig(n);
                sb.Append(kind switch { 0 => "a", 1 => "b", _ => "rc" });
                AppendNumberOrZero(sb, n);
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
            AppendNumber(sb.Append(".post"), n);
        }
        else
        {
            var q = p;
            SkipSeparator(s, ref q);
            if (MatchPostLabel(s, ref q))
            {
                SkipSeparator(s, ref q);
                var n = ReadDigits(s, ref q);
                parts.HasPost = true;
                parts.PostNumber = ToBig(n);
                AppendNumberOrZero(sb.Append(".post"), n);
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
                AppendNumberOrZero(sb.Append(".dev"), n);
                p = q;
            }
        }

        if (parts.PreKind == 3 && !parts.HasPost && parts.HasDev)
        {
            parts.PreKind = -1;
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
                while (p < s.Length && char.IsAsciiLetterOrDigit(s[p]))
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
                    AppendNumber(sb, seg);
                }
                else
                {
                    var lower = LowerAscii(seg);
                    segments.Add(new LocalSegment(default, lower));
                    sb.Append(lower);
                }

                if (p + 1 < s.Length && s[p] is '-' or '_' or '.' && char.IsAsciiLetterOrDigit(s[p + 1]))
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

        normalized = sb.ToString();
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

    private static BigInteger[] BuildReleaseKey(ReadOnlySpan<char> s, ReadOnlySpan<Range> small, List<Range>? overflow, int count)
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

        var key = new BigInteger[last + 1];
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

    private static string LowerAscii(ReadOnlySpan<char> s)
    {
        Span<char> buffer = s.Length <= 128 ? stackalloc char[s.Length] : new char[s.Length];
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            buffer[i] = c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
        }

        return new string(buffer);
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

    private static int MatchPreLabel(ReadOnlySpan<char> s, ref int p)
    {
        if (MatchWord(s, ref p, "alpha") || MatchWord(s, ref p, "a"))
        {
            return 0;
        }

        if (MatchWord(s, ref p, "beta") || MatchWord(s, ref p, "b"))
        {
            return 1;
        }

        return MatchWord(s, ref p, "preview") || MatchWord(s, ref p, "pre") || MatchWord(s, ref p, "c") || MatchWord(s, ref p, "rc")
            ? 2
            : -1;
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
            if ((s[p + i] | 0x20) != word[i])
            {
                return false;
            }
        }

        p += word.Length;
        return true;
    }

    private static StringBuilder AppendNumber(StringBuilder sb, ReadOnlySpan<char> digits)
    {
        var i = 0;
        while (i < digits.Length - 1 && digits[i] == '0')
        {
            i++;
        }

        return sb.Append(digits[i..]);
    }

    private static void AppendNumberOrZero(StringBuilder sb, ReadOnlySpan<char> digits)
    {
        if (digits.IsEmpty)
        {
            sb.Append('0');
        }
        else
        {
            AppendNumber(sb, digits);
        }
    }

    internal static BigInteger ToBig(ReadOnlySpan<char> digits)
    {
        if (digits.IsEmpty)
        {
            return BigInteger.Zero;
        }

        if (digits.Length <= 18)
        {
            long value = 0;
            foreach (var c in digits)
            {
                value = (value * 10) + (c - '0');
            }

            return new BigInteger(value);
        }

        return BigInteger.Parse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);
    }
}
