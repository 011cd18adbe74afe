namespace Clutch.Storage;

/// <summary>Where things live in a blob store, shared by every provider.</summary>
public static class BlobKeys
{
    /// <summary>The store's private area; never served, never indexed.</summary>
    public const string PrivatePrefix = ".clutch/";

    /// <summary>Extracted core metadata blobs (PEP 658), keyed by the distribution's sha256.</summary>
    public const string MetadataPrefix = ".clutch/metadata/";

    /// <summary>The key of the core metadata extracted from the file with <paramref name="fileSha256"/>.</summary>
    public static string Metadata(string fileSha256) => MetadataPrefix + fileSha256 + ".metadata";

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless <paramref name="key"/> is a relative,
    /// '/'-separated key without empty, '.' or '..' segments: every provider refuses the same keys,
    /// so a key that works on one store works on another.
    /// </summary>
    public static void Validate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Problem(key) is { } problem)
        {
            throw new ArgumentException($"Invalid blob key '{key.Replace("\0", "\\0", StringComparison.Ordinal)}': {problem}.", nameof(key));
        }
    }

    private static string? Problem(string key)
    {
        if (key.Length == 0)
        {
            return "empty";
        }

        if (key.Contains('\0', StringComparison.Ordinal))
        {
            return "contains NUL";
        }

        if (key.Contains('\\', StringComparison.Ordinal))
        {
            return "contains a backslash";
        }

        if (key[0] == '/' || Path.IsPathRooted(key) || (key.Length >= 2 && key[1] == ':'))
        {
            return "absolute";
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0)
            {
                return "empty path segment";
            }

            if (segment is "." or "..")
            {
                return "'.' or '..' segment";
            }
        }

        return null;
    }
}
