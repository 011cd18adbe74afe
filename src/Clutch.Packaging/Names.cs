using System.Globalization;
using System.Text;

namespace Clutch.Packaging;

/// <summary>A project name normalized per PEP 503: lower case, runs of <c>-_.</c> collapsed to <c>-</c>.</summary>
/// <remarks><c>default(ProjectName)</c> has a null <see cref="Value"/>; it prints as the empty string
/// and sorts before every other name.</remarks>
public readonly record struct ProjectName : IComparable<ProjectName>
{
    private ProjectName(string value) => Value = value;

    /// <summary>The normalized form, e.g. <c>foo-bar</c> for <c>Foo_Bar</c>.</summary>
    public string Value { get; }

    /// <summary>Normalizes any string (valid or not) the way pip does for lookups.</summary>
    public static ProjectName Normalize(string name) => new(NormalizeText(name ?? ""));

    /// <summary>True when <paramref name="name"/> is a valid PEP 508 project name.</summary>
    public static bool IsValid(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || !IsAsciiLetterOrDigit(name[0]) || !IsAsciiLetterOrDigit(name[^1]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses a valid project name; false for names that PEP 508 refuses.</summary>
    public static bool TryParse(string name, out ProjectName result)
    {
        if (IsValid(name))
        {
            result = Normalize(name);
            return true;
        }

        result = default;
        return false;
    }

    /// <summary>Parses a valid project name or throws <see cref="FormatException"/> naming it.</summary>
    public static ProjectName Parse(string name) => TryParse(name, out var result)
        ? result
        : throw new FormatException($"'{name}' is not a valid project name (PEP 508: letters, digits, '.', '_', '-'; starting and ending with a letter or digit)");

    /// <summary>
    /// True when <paramref name="name"/> is a valid name already in its normalized form: a-z, 0-9 and
    /// single '-', neither first nor last. Such a name needs no normalizing (and no redirect).
    /// </summary>
    public static bool IsCanonical(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name[0] == '-' || name[^1] == '-')
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || (c == '-' && name[i - 1] != '-')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the names are equal after normalization.</summary>
    public bool Matches(string name) => string.Equals(Value ?? "", NormalizeText(name ?? ""), StringComparison.Ordinal);

    public int CompareTo(ProjectName other) => string.CompareOrdinal(Value, other.Value);

    public override string ToString() => Value ?? "";

    /// <summary>
    /// <c>re.sub(r"[-_.]+", "-", name).lower()</c>. Python lower-cases with full Unicode case
    /// mapping: the one unconditional multi-character mapping (U+0130) and the final sigma are
    /// reproduced.
    /// </summary>
    internal static string NormalizeText(ReadOnlySpan<char> name)
    {
        // Fast path: already normalized (the common case for lookups).
        var clean = true;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is >= 'A' and <= 'Z' or '_' or '.' || c > 0x7F || (c == '-' && i > 0 && name[i - 1] == '-'))
            {
                clean = false;
                break;
            }
        }

        if (clean)
        {
            return name.ToString();
        }

        // Step 1, the substitution; step 2, Python's str.lower() on its result.
        var sub = new StringBuilder(name.Length);
        var inRun = false;
        foreach (var c in name)
        {
            if (c is '-' or '_' or '.')
            {
                if (!inRun)
                {
                    sub.Append('-');
                    inRun = true;
                }

                continue;
            }

            inRun = false;
            sub.Append(c);
        }

        var text = sub.ToString();
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 0x80)
            {
                sb.Append(c is >= 'A' and <= 'Z' ? (char)(c + 32) : c);
            }
            else if (c == '\u0130')
            {
                sb.Append("i\u0307");
            }
            else if (c == '\u03a3')
            {
                sb.Append(IsFinalSigma(text, i) ? '\u03c2' : '\u03c3');
            }
            else
            {
                sb.Append(char.ToLowerInvariant(c));
            }
        }

        return sb.ToString();
    }

    /// <summary>Unicode's Final_Sigma context, as Python applies it: after a cased letter, not before one.</summary>
    private static bool IsFinalSigma(string text, int i)
    {
        var j = i - 1;
        while (j >= 0 && IsCaseIgnorable(text[j]))
        {
            j--;
        }

        if (j < 0 || !IsCased(text[j]))
        {
            return false;
        }

        var k = i + 1;
        while (k < text.Length && IsCaseIgnorable(text[k]))
        {
            k++;
        }

        return k >= text.Length || !IsCased(text[k]);
    }

    private static bool IsCased(char c) => char.GetUnicodeCategory(c) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(char c)
        => c is '\'' or '.' or ':' or '^' or '`' or '\u00b7' or '\u2018' or '\u2019' or '\u2024' or '\u2027'
            || char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
                or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;

    private static bool IsAsciiLetterOrDigit(char c) => char.IsAsciiLetterOrDigit(c);
}
