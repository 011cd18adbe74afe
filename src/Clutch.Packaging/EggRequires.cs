namespace Clutch.Packaging;

/// <summary>The requirements of an egg's <c>requires.txt</c>, as core metadata would spell them.</summary>
public sealed record EggRequires(IReadOnlyList<string> RequiresDist, IReadOnlyList<string> ProvidesExtra)
{
    /// <summary>
    /// Reads <c>requires.txt</c>: bare lines are unconditional; <c>[extra]</c>, <c>[:marker]</c> and
    /// <c>[extra:marker]</c> sections become <c>dep; extra == "x"</c>, <c>dep; marker</c> and
    /// <c>dep; (marker) and extra == "x"</c>. Blank lines and <c>#</c> comments are skipped.
    /// </summary>
    public static EggRequires Parse(string requiresTxt)
    {
        var requires = new List<string>();
        var extras = new List<string>();
        string? condition = null;
        foreach (var rawLine in (requiresTxt ?? "").Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                condition = SectionCondition(line[1..^1].Trim(), extras);
                continue;
            }

            if (condition is null)
            {
                requires.Add(line);
                continue;
            }

            var semi = line.IndexOf(';');
            requires.Add(semi < 0
                ? $"{line}; {condition}"
                : $"{line[..semi].TrimEnd()}; ({line[(semi + 1)..].Trim()}) and ({condition})");
        }

        return new EggRequires(requires, extras);
    }

    private static string? SectionCondition(string section, List<string> extras)
    {
        var colon = section.IndexOf(':');
        var extra = (colon < 0 ? section : section[..colon]).Trim();
        var marker = colon < 0 ? "" : section[(colon + 1)..].Trim();
        if (extra.Length > 0)
        {
            extra = SafeExtra(extra);
            if (!extras.Contains(extra))
            {
                extras.Add(extra);
            }
        }

        return (extra.Length, marker.Length) switch
        {
            (0, 0) => null,
            (0, _) => marker,
            (_, 0) => $"extra == \"{extra}\"",
            _ => $"({marker}) and extra == \"{extra}\"",
        };
    }

    /// <summary>setuptools' <c>safe_extra</c>: runs of other characters become '_', lower case.</summary>
    private static string SafeExtra(string extra)
    {
        var chars = new System.Text.StringBuilder(extra.Length);
        var inRun = false;
        foreach (var c in extra)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '-')
            {
                chars.Append(char.ToLowerInvariant(c));
                inRun = false;
            }
            else if (!inRun)
            {
                chars.Append('_');
                inRun = true;
            }
        }

        return chars.ToString();
    }
}
