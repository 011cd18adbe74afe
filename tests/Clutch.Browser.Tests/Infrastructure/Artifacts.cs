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

    /// <summary>A file-name-safe form of a test name or URL path ("/project/a/" → "project-a").</summary>
    public static string Slug(string text)
    {
        var slug = Unsafe().Replace(text, "-").Trim('-');
        return slug.Length == 0 ? "home" : slug.Length > 80 ? slug[..80] : slug;
    }

    [GeneratedRegex("[^A-Za-z0-9._]+")]
    private static partial Regex Unsafe();
}
