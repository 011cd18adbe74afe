using System.Text;

namespace Clutch.Packaging;

/// <summary>
/// Reads RFC 822 style metadata the way Python's email parser splits it: headers until the first
/// empty line (or the first line that is not a header), continuation lines starting with a space
/// or tab, the rest as the body.
/// </summary>
internal static class CoreMetadataReader
{
    public static CoreMetadata Read(string text)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        var fields = new List<KeyValuePair<string, string>>();
        string? name = null;
        var raw = new List<string>();
        var pos = 0;
        var bodyStart = text.Length;
        while (pos < text.Length)
        {
            var lineStart = pos;
            var line = NextLine(text, ref pos);
            if (line.Length == 0)
            {
                bodyStart = pos;
                break;
            }

            if (line[0] is ' ' or '\t')
            {
                if (name is not null)
                {
                    raw.Add(line.ToString());
                }

                continue;
            }

            var colon = HeaderNameLength(line);
            if (colon <= 0)
            {
                // Not a header: Python's parser starts the body here (a missing blank line).
                bodyStart = lineStart;
                break;
            }

            Flush(fields, name, raw);
            name = line[..colon].ToString();
            raw.Clear();
            raw.Add(line[(colon + 1)..].TrimStart(" \t").ToString());
        }

        Flush(fields, name, raw);
        var body = bodyStart < text.Length ? text[bodyStart..] : null;
        string? description = null;
        if (!string.IsNullOrWhiteSpace(body))
        {
            description = body;
        }
        else
        {
            foreach (var (key, value) in fields)
            {
                if (string.Equals(key, "Description", StringComparison.OrdinalIgnoreCase))
                {
                    description = value;
                    break;
                }
            }
        }

        return new CoreMetadata { Fields = fields, Description = description };
    }

    private static ReadOnlySpan<char> NextLine(string text, ref int pos)
    {
        var rest = text.AsSpan(pos);
        var end = rest.IndexOfAny('\r', '\n');
        if (end < 0)
        {
            pos = text.Length;
            return rest;
        }

        var line = rest[..end];
        pos += end + 1;
        if (rest[end] == '\r' && pos < text.Length && text[pos] == '\n')
        {
            pos++;
        }

        return line;
    }

    /// <summary>Length of a header name followed by ':' (printable ASCII but ':'), or -1.</summary>
    private static int HeaderNameLength(ReadOnlySpan<char> line)
    {
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == ':')
            {
                return i;
            }

            if (c is < '\x21' or > '\x7e')
            {
                return -1;
            }
        }

        return -1;
    }

    private static void Flush(List<KeyValuePair<string, string>> fields, string? name, List<string> raw)
    {
        if (name is null)
        {
            return;
        }

        var value = string.Equals(name, "Description", StringComparison.OrdinalIgnoreCase)
            ? UnfoldDescription(raw)
            : UnfoldHeader(raw);
        fields.Add(new(name, value));
    }

    private static string UnfoldHeader(List<string> raw)
    {
        if (raw.Count == 1)
        {
            return raw[0].TrimEnd();
        }

        var sb = new StringBuilder(raw[0].Trim());
        for (var i = 1; i < raw.Count; i++)
        {
            var part = raw[i].Trim();
            if (part.Length > 0)
            {
                if (sb.Length > 0)
                {
                    sb.Append(' ');
                }

                sb.Append(part);
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// The description keeps its lines: continuation lines lose the core metadata spec's
    /// <c>"       |"</c> prefix when every line has it, else their common indentation (setuptools
    /// indents by eight spaces), as <c>textwrap.dedent</c> would.
    /// </summary>
    private static string UnfoldDescription(List<string> raw)
    {
        var first = raw[0].TrimEnd();
        if (raw.Count == 1)
        {
            return first;
        }

        var piped = true;
        for (var i = 1; i < raw.Count && piped; i++)
        {
            piped = raw[i].StartsWith("       |", StringComparison.Ordinal);
        }

        var sb = new StringBuilder(first);
        if (piped)
        {
            for (var i = 1; i < raw.Count; i++)
            {
                sb.Append('\n').Append(raw[i].AsSpan(8));
            }

            return sb.ToString();
        }

        var indent = int.MaxValue;
        string? reference = null;
        for (var i = 1; i < raw.Count; i++)
        {
            var line = raw[i];
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var lead = line.Length - line.TrimStart(" \t").Length;
            if (reference is null)
            {
                reference = line;
                indent = lead;
            }
            else
            {
                // The common prefix must be the same whitespace characters, not just as long.
                var common = 0;
                while (common < indent && common < lead && line[common] == reference[common])
                {
                    common++;
                }

                indent = common;
            }
        }

        for (var i = 1; i < raw.Count; i++)
        {
            var line = raw[i];
            sb.Append('\n');
            if (!string.IsNullOrWhiteSpace(line))
            {
                sb.Append(line.AsSpan(indent).TrimEnd("\r"));
            }
        }

        return sb.ToString();
    }
}
