using System.Buffers;

namespace Clutch.Indexes;

/// <summary>
/// What an index may be called. An index answers under <c>/{name}/simple/</c>, so its name is one
/// URL segment that cannot be mistaken for a route of its own: lower-case ASCII letters, digits and
/// '-', starting with a letter, at most 40 characters, and none of the server's own first segments.
/// </summary>
public static class IndexNames
{
    public const int MaxLength = 40;

    private static readonly SearchValues<char> Allowed = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-");

    /// <summary>First path segments the server answers itself (pages, APIs, operations); an index may not take one.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal)
    {
        "simple", "links", "legacy", "files", "pypi", "api", "health", "metrics", "static",
        "project", "projects", "search", "help", "account", "index", "indexes", "default",
    };

    /// <summary>The one-line reason <paramref name="name"/> cannot name an index, or null when it can.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "An index needs a name.";
        }

        if (name.Length > MaxLength || name[0] is < 'a' or > 'z' || name.AsSpan().ContainsAnyExcept(Allowed) || name.EndsWith('-'))
        {
            return $"Index name '{Shown(name)}' is not valid: lower-case letters, digits and '-', starting with a letter, not ending with '-', at most {MaxLength} characters.";
        }

        return Reserved.Contains(name) ? $"Index name '{name}' is taken by the server's own URLs (/{name}/)." : null;
    }

    /// <summary>True when <paramref name="segment"/> could be an index name (a cheap check before a lookup).</summary>
    public static bool CouldBe(ReadOnlySpan<char> segment) =>
        segment.Length is > 0 and <= MaxLength && segment[0] is >= 'a' and <= 'z' && !segment.ContainsAnyExcept(Allowed);

    private static string Shown(string name) => name.Length > 60 ? name[..60] + "…" : name;
}
