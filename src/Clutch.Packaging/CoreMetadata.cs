using System.Text;

namespace Clutch.Packaging;

/// <summary>
/// Core metadata (PKG-INFO / METADATA), versions 1.0 to 2.4: RFC 822 style headers, multi-use
/// fields kept in order, the message body taken as the description.
/// </summary>
public sealed class CoreMetadata
{
    /// <summary>Every header in file order (name as written, value unfolded).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields { get; init; } = [];

    /// <summary>The description: the <c>Description</c> header or the message body.</summary>
    public string? Description { get; init; }

    public string? MetadataVersion => Get("Metadata-Version");
    public string? Name => Get("Name");
    public string? Version => Get("Version");
    public string? Summary => Get("Summary");
    public string? RequiresPython => Get("Requires-Python");
    public string? DescriptionContentType => Get("Description-Content-Type");
    public IReadOnlyList<string> RequiresDist => GetAll("Requires-Dist");

    /// <summary>Every <c>Provides-Extra</c>, in order.</summary>
    public IReadOnlyList<string> ProvidesExtra => GetAll("Provides-Extra");

    /// <summary>First value of a field (case-insensitive), or null.</summary>
    public string? Get(string field)
    {
        foreach (var (key, value) in Fields)
        {
            if (string.Equals(key, field, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>Every value of a multi-use field (case-insensitive), in order.</summary>
    public IReadOnlyList<string> GetAll(string field)
    {
        List<string>? values = null;
        foreach (var (key, value) in Fields)
        {
            if (string.Equals(key, field, StringComparison.OrdinalIgnoreCase))
            {
                (values ??= []).Add(value);
            }
        }

        return values is null ? [] : values;
    }

    /// <summary>Parses metadata text; lenient about what real-world tools write, never throws on content.</summary>
    public static CoreMetadata Parse(string text) => CoreMetadataReader.Read(text ?? "");

    /// <summary>Parses UTF-8 metadata bytes (invalid UTF-8 replaced, not fatal).</summary>
    public static CoreMetadata Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            utf8 = utf8[3..];
        }

        // Encoding.UTF8 replaces invalid sequences with U+FFFD rather than throwing.
        return Parse(Encoding.UTF8.GetString(utf8));
    }

    /// <summary>
    /// A copy with the requirements of an egg's <c>requires.txt</c> appended as
    /// <c>Requires-Dist</c> and <c>Provides-Extra</c> (only those not already present).
    /// </summary>
    public CoreMetadata WithEggRequires(string requiresTxt)
    {
        var egg = EggRequires.Parse(requiresTxt);
        var fields = new List<KeyValuePair<string, string>>(Fields);
        var have = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in Fields)
        {
            have.Add(key.ToLowerInvariant() + ":" + value);
        }

        foreach (var extra in egg.ProvidesExtra)
        {
            if (have.Add("provides-extra:" + extra))
            {
                fields.Add(new("Provides-Extra", extra));
            }
        }

        foreach (var req in egg.RequiresDist)
        {
            if (have.Add("requires-dist:" + req))
            {
                fields.Add(new("Requires-Dist", req));
            }
        }

        return new CoreMetadata { Fields = fields, Description = Description };
    }

    /// <summary>
    /// Writes the metadata as text: headers in order (multi-line values folded with eight spaces),
    /// then the description as the message body when it is not a header already.
    /// </summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        var descriptionHeader = false;
        foreach (var (key, value) in Fields)
        {
            descriptionHeader |= string.Equals(key, "Description", StringComparison.OrdinalIgnoreCase);
            sb.Append(key).Append(": ");
            var lines = value.Split('\n');
            sb.Append(lines[0].TrimEnd('\r')).Append('\n');
            for (var i = 1; i < lines.Length; i++)
            {
                sb.Append("        ").Append(lines[i].TrimEnd('\r')).Append('\n');
            }
        }

        if (!descriptionHeader && !string.IsNullOrEmpty(Description))
        {
            sb.Append('\n').Append(Description);
            if (!Description.EndsWith('\n'))
            {
                sb.Append('\n');
            }
        }

        return sb.ToString();
    }
}
