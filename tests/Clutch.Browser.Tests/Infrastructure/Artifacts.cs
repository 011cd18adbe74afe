using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Clutch.Browser.Tests.Infrastructure;

/// <summary>
/// Where the screenshots go: <c>CLUTCH_TEST_ARTIFACTS</c> (scripts/test.sh sets it under its results
/// folder and prints it), else <c>clutch-browser-artifacts</c> in the temp folder. One folder per test.
/// </summary>
public static partial class Artifacts
{
    public static string Root =>
        Environment.GetEnvironmentVariable("CLUTCH_TEST_ARTIFACTS") is { Length: > 0 } root
            ? Path.GetFullPath(root)
            : Path.Combine(Path.GetTempPath(), "clutch-browser-artifacts");

    /// <summary>The test's own folder, emptied first so a rerun never mixes with older pictures.</summary>
    public static string ForTest(string testName)
    {
        var dir = Path.Combine(Root, Slug(testName));
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        return Directory.CreateDirectory(dir).FullName;
    }

    /// <summary>
    /// A file-name-safe form of a test name or URL path ("/project/a/" → "project-a"); a long one is cut
    /// and given a hash of the whole, so two long names never share a folder.
    /// </summary>
    public static string Slug(string text)
    {
        var slug = Unsafe().Replace(text, "-").Trim('-');
        if (slug.Length <= MaxSlug)
        {
            return slug.Length == 0 ? "home" : slug;
        }

        return slug[..(MaxSlug - 9)] + "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..8];
    }

    private const int MaxSlug = 120;

    [GeneratedRegex("[^A-Za-z0-9._]+")]
    private static partial Regex Unsafe();
}
