namespace Clutch.Packaging;

/// <summary>
/// The sort key of setuptools' historic <c>LegacyVersion</c>, used to order versions that are not
/// valid PEP 440 among themselves (a newer <c>1.0.dev-r1234</c> after an older <c>1.0.dev-r999</c>).
/// </summary>
internal static class LegacyVersionKey
{
    private const string Final = "*final";

    public static string[] Compute(string version)
    {
        var text = version.ToLowerInvariant();
        var parts = new List<string>(8);
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            var c = text[i];
            string token;
            if (char.IsDigit(c))
            {
                while (i < text.Length && char.IsDigit(text[i]))
                {
                    i++;
                }

                token = text[start..i];
            }
            else if (c is >= 'a' and <= 'z')
            {
                while (i < text.Length && text[i] is >= 'a' and <= 'z')
                {
                    i++;
                }

                token = text[start..i];
            }
            else if (c is '.' or '-')
            {
                i++;
                token = c == '.' ? "." : "-";
            }
            else
            {
                // Text between tokens is kept as one piece, as re.split keeps it.
                while (i < text.Length && !char.IsDigit(text[i]) && text[i] is not (>= 'a' and <= 'z') and not '.' and not '-')
                {
                    i++;
                }

                token = text[start..i];
            }

            Add(parts, token);
        }

        Add(parts, "final-end");
        return [.. parts];
    }

    private static void Add(List<string> parts, string token)
    {
        token = token switch
        {
            "pre" or "preview" or "rc" => "c",
            "-" => "final-",
            "dev" => "@",
            "final-end" => "final",
            _ => token,
        };

        if (token.Length == 0 || token == ".")
        {
            return;
        }

        string part;
        if (char.IsDigit(token[0]))
        {
            // zfill(8): numbers compare numerically as long as they have at most eight digits.
            part = token.Length >= 8 ? token : token.PadLeft(8, '0');
        }
        else
        {
            part = "*" + token;
        }

        if (part[0] == '*')
        {
            if (string.CompareOrdinal(part, Final) < 0)
            {
                while (parts.Count > 0 && parts[^1] == "*final-")
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }

            while (parts.Count > 0 && parts[^1] == "00000000")
            {
                parts.RemoveAt(parts.Count - 1);
            }
        }

        parts.Add(part);
    }
}
