using System.Text;

namespace Clutch.Packaging;

/// <summary>
/// What an archive's metadata file must be for every tool to read it alike: valid UTF-8 (the core
/// metadata spec's encoding), a <c>Metadata-Version</c> whose major version is known, and no
/// single-use field given twice with different values (readers disagree on which one counts:
/// Python's email parser takes the first, others the last).
/// </summary>
internal static class MetadataRules
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The fields the core metadata spec allows once (every version, 1.0 to 2.4).</summary>
    private static readonly string[] SingleUse =
    [
        "Metadata-Version", "Name", "Version", "Summary", "Description", "Description-Content-Type", "Keywords",
        "Home-page", "Download-URL", "Author", "Author-email", "Maintainer", "Maintainer-email", "License",
        "License-Expression", "Requires-Python",
    ];

    /// <summary>Decodes and parses a metadata file, refusing what tools would read differently.</summary>
    public static CoreMetadata Parse(string file, string path, byte[] bytes)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            var at = ex.Index >= 0 ? $" (byte {ex.Index})" : "";
            throw new InvalidArchiveException($"'{file}': {path} is not valid UTF-8{at}");
        }

        var metadata = CoreMetadata.Parse(text);
        CheckMetadataVersion(file, path, metadata.MetadataVersion);
        CheckSingleUse(file, path, metadata);
        return metadata;
    }

    /// <summary>Major versions 1 and 2 are known; a newer 2.x minor is accepted, as the spec asks of readers.</summary>
    private static void CheckMetadataVersion(string file, string path, string? value)
    {
        if (value is null)
        {
            throw new InvalidArchiveException($"'{file}': {path} has no Metadata-Version");
        }

        var text = value.Trim();
        var dot = text.IndexOf('.');
        if (dot <= 0 || !int.TryParse(text.AsSpan(0, dot), System.Globalization.NumberStyles.None, null, out var major)
            || !int.TryParse(text.AsSpan(dot + 1), System.Globalization.NumberStyles.None, null, out _))
        {
            throw new InvalidArchiveException($"'{file}': {path} has Metadata-Version '{value}', not a MAJOR.MINOR version");
        }

        if (major is not (1 or 2))
        {
            throw new InvalidArchiveException($"'{file}': {path} has Metadata-Version '{value}': major version {major} is unknown (1.0 to 2.4 are)");
        }
    }

    private static void CheckSingleUse(string file, string path, CoreMetadata metadata)
    {
        Dictionary<string, string>? seen = null;
        foreach (var (key, value) in metadata.Fields)
        {
            var field = Array.Find(SingleUse, f => string.Equals(f, key, StringComparison.OrdinalIgnoreCase));
            if (field is null)
            {
                continue;
            }

            seen ??= new(StringComparer.Ordinal);
            if (!seen.TryAdd(field, value) && !string.Equals(seen[field].Trim(), value.Trim(), StringComparison.Ordinal))
            {
                throw new InvalidArchiveException($"'{file}': {path} gives {field} twice with different values ('{Short(seen[field])}' and '{Short(value)}')");
            }
        }
    }

    private static string Short(string value)
    {
        var line = ArchiveInspector.OneLine(value);
        return line.Length <= 60 ? line : line[..57] + "...";
    }
}
