using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Clutch.EndToEnd.Tests.Harness;

/// <summary>
/// Small helpers about the files the tests build. Deliberately independent of Clutch.Packaging:
/// the end-to-end tests must not share a bug with the code they check.
/// </summary>
public static partial class PackageFiles
{
    /// <summary>PEP 503 normalized name.</summary>
    public static string Normalize(string name) => Separators().Replace(name, "-").ToLowerInvariant();

    /// <summary>The normalized project of a wheel, sdist or egg that the test factory built (names without dashes).</summary>
    public static string ProjectOf(string filename)
    {
        var dash = filename.IndexOf('-', StringComparison.Ordinal);
        return Normalize(dash < 0 ? filename : filename[..dash]);
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    [GeneratedRegex("[-_.]+")]
    private static partial Regex Separators();
}
