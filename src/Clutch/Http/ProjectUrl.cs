using System.Text;
using Clutch.Packaging;

namespace Clutch.Http;

/// <summary>What the project segment of a URL names.</summary>
public enum ProjectUrlKind
{
    /// <summary>A project name in its normalized form: the URL of the project's page.</summary>
    Canonical,

    /// <summary>A valid project name in another spelling (<c>Foo_Bar</c>): redirected to the canonical URL.</summary>
    Redirect,

    /// <summary>Not a PEP 508 project name (<c>..%2f..%2fetc</c>, <c>café</c>, <c>-x</c>): no project can have it, 404.</summary>
    NotAName,
}

/// <summary>
/// The one decision about a project name in a URL (DESIGN.md, "one way through"): the fast path,
/// the simple, links and JSON endpoints and the management API all ask here. Only a valid name is
/// normalized; anything else is never turned into a redirect (an encoded '/' would come back
/// escaped twice, <c>-%252f</c>).
/// </summary>
public static class ProjectUrl
{
    private const int ShownLength = 100;

    /// <summary>Classifies a URL segment (as routing decoded it); allocation-free.</summary>
    public static ProjectUrlKind Classify(ReadOnlySpan<char> segment) =>
        ProjectName.IsCanonical(segment) ? ProjectUrlKind.Canonical
        : ProjectName.IsValid(segment) ? ProjectUrlKind.Redirect
        : ProjectUrlKind.NotAName;

    /// <summary>The one-line reason a segment that is not a project name is 404.</summary>
    public static string NotAName(string segment) =>
        $"'{Show(segment)}' is not a valid project name (PEP 508: ASCII letters, digits, '.', '_', '-'; starting and ending with a letter or digit).";

    /// <summary>
    /// The project of a page URL <c>{prefix}{segment}/</c> (the simple and links pages), or null after
    /// answering anything else: 404 in plain text for a segment that is not a project name, 301 to
    /// the canonical URL for another spelling or a missing trailing slash.
    /// </summary>
    public static async Task<ProjectName?> PageAsync(HttpContext context, string prefix, string segment)
    {
        switch (Classify(segment))
        {
            case ProjectUrlKind.NotAName:
                await PlainText.WriteAsync(context, StatusCodes.Status404NotFound, NotAName(segment) + "\n");
                return null;
            case ProjectUrlKind.Redirect:
                await Redirects.Permanent(context, prefix + ProjectName.Normalize(segment).Value + "/");
                return null;
            default:
                if (!context.Request.Path.Value!.EndsWith('/'))
                {
                    await Redirects.Permanent(context, prefix + segment + "/");
                    return null;
                }

                return ProjectName.Normalize(segment);
        }
    }

    /// <summary>
    /// A segment as an error message may show it: one line, at most 100 characters, control
    /// characters as '?' and a broken surrogate as U+FFFD (a JSON body could not carry it).
    /// </summary>
    public static string Show(string segment)
    {
        var text = new StringBuilder(Math.Min(segment.Length, ShownLength) + 1);
        foreach (var rune in segment.AsSpan().EnumerateRunes())
        {
            if (text.Length + rune.Utf16SequenceLength > ShownLength)
            {
                return text.Append('…').ToString();
            }

            text.Append(Rune.IsControl(rune) ? "?" : rune.ToString());
        }

        return text.ToString();
    }
}
