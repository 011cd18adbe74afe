using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Microsoft.AspNetCore.Html;

namespace Clutch.Web;

/// <summary>A release's description as a page shows it.</summary>
/// <param name="Html">Markdown rendered to HTML (raw HTML off, unsafe links as text), or null when shown as text.</param>
/// <param name="Text">The description shown preformatted (reStructuredText, plain text, no content type); null when rendered.</param>
/// <param name="CutFromBytes">The description's full length when it was cut, else null.</param>
public sealed record Readme(HtmlString? Html, string? Text, long? CutFromBytes);

/// <summary>
/// Renders a description (core metadata's body) for a page: Markdown through Markdig with raw HTML
/// shown as text and links or images other than http(s), mailto or relative made plain text;
/// reStructuredText and plain text preformatted; headings nested under the page's own. Descriptions past <see cref="MaxChars"/> are cut
/// (a 10 MB description would cost the page its speed and the reader their browser).
/// </summary>
public static class ReadmeRenderer
{
    /// <summary>The longest description shown: 1 MiB of text.</summary>
    public const int MaxChars = 1024 * 1024;

    // No extension that lets the author write attributes (generic attributes) or HTML; tables,
    // task lists, strike-through and bare links as a GitHub README uses them.
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseTaskLists()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .Build();

    /// <summary>The readme of <paramref name="description"/>, or null when there is none.</summary>
    public static Readme? Render(string? description, string? contentType)
    {
        if (string.IsNullOrWhiteSpace(description))
        {
            return null;
        }

        long? cutFrom = null;
        if (description.Length > MaxChars)
        {
            cutFrom = System.Text.Encoding.UTF8.GetByteCount(description);
            var end = description.LastIndexOf('\n', MaxChars - 1);
            description = description[..(end > MaxChars / 2 ? end : MaxChars)];
        }

        if (!IsMarkdown(contentType))
        {
            return new Readme(null, description, cutFrom);
        }

        var document = Markdown.Parse(description, Pipeline);
        MakeUnsafeLinksText(document);
        NestHeadings(document);
        return new Readme(new HtmlString(document.ToHtml(Pipeline)), null, cutFrom);
    }

    /// <summary>True for <c>text/markdown</c> (with any parameters, any case).</summary>
    public static bool IsMarkdown(string? contentType)
    {
        var type = contentType?.Split(';', 2)[0].Trim();
        return string.Equals(type, "text/markdown", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Replaces every link, image and autolink whose URL is not <see cref="SafeUrls.IsReadmeLink"/> by its text.</summary>
    private static void MakeUnsafeLinksText(MarkdownDocument document)
    {
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            link.GetDynamicUrl = null;
            if (!SafeUrls.IsReadmeLink(link.Url))
            {
                link.ReplaceBy(new LiteralInline(TextOf(link)), copyChildren: false);
            }
        }

        foreach (var link in document.Descendants<AutolinkInline>().ToList())
        {
            if (!link.IsEmail && !SafeUrls.IsReadmeLink(link.Url))
            {
                link.ReplaceBy(new LiteralInline(link.Url), copyChildren: false);
            }
        }
    }

    /// <summary>
    /// The README sits under the page's "Description" heading (an h2): its headings go two levels
    /// down, so the page keeps one h1 and an outline that reads in order.
    /// </summary>
    private static void NestHeadings(MarkdownDocument document)
    {
        foreach (var heading in document.Descendants<HeadingBlock>())
        {
            heading.Level = Math.Min(6, heading.Level + 2);
        }
    }

    /// <summary>The text a link or image shows (its label), without markup.</summary>
    private static string TextOf(ContainerInline container)
    {
        var text = new System.Text.StringBuilder();
        foreach (var inline in container.Descendants<Inline>())
        {
            switch (inline)
            {
                case LiteralInline literal:
                    text.Append(literal.Content);
                    break;
                case CodeInline code:
                    text.Append(code.Content);
                    break;
            }
        }

        return text.ToString();
    }
}
