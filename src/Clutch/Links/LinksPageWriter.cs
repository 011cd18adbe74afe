using System.Net;
using System.Text;
using Clutch.Simple;
using Clutch.Storage;

namespace Clutch.Links;

/// <summary>
/// The find-links page of the origin's lister: a plain list of <c>&lt;a&gt;</c> links to every file
/// (with <c>data-requires-python</c> and <c>data-yanked</c> as on the simple page), then the developer links (<c>VCS-URL#egg={project}-dev</c>) with any credentials removed.
/// </summary>
public static class LinksPageWriter
{
    /// <summary>UTF-8 without a byte-order mark, as every page is sent.</summary>
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>One project's page, as bytes.</summary>
    public static byte[] Write(string title, IReadOnlyList<CatalogFile> files, IReadOnlyList<DeveloperLink> links, FileHrefs hrefs)
    {
        var writer = new StringWriter(new StringBuilder(256 + (files.Count * 160) + (links.Count * 120)));
        WriteHeader(writer, title);
        foreach (var f in files)
        {
            WriteFile(writer, f, hrefs);
        }

        WriteFooter(writer, links);
        return Utf8.GetBytes(writer.ToString());
    }

    /// <summary>
    /// The page of the whole index, written to <paramref name="output"/> as the rows stream from the
    /// catalog: at 100,000 files it is ~20 MB, which is never held as rows, text or plain bytes.
    /// </summary>
    public static async Task WriteAsync(Stream output, string title, IAsyncEnumerable<CatalogFile> files, IReadOnlyList<DeveloperLink> links, FileHrefs hrefs)
    {
        await using var writer = new StreamWriter(output, Utf8, 64 * 1024, leaveOpen: true);
        WriteHeader(writer, title);
        await foreach (var f in files.ConfigureAwait(false))
        {
            WriteFile(writer, f, hrefs);
        }

        WriteFooter(writer, links);
    }

    private static void WriteHeader(TextWriter w, string title)
    {
        var t = WebUtility.HtmlEncode(title);
        w.Write("<!DOCTYPE html>\n<html>\n  <head>\n    <title>");
        w.Write(t);
        w.Write("</title>\n  </head>\n  <body>\n    <h1>");
        w.Write(t);
        w.Write("</h1>\n");
    }

    private static void WriteFile(TextWriter w, CatalogFile f, FileHrefs hrefs)
    {
        w.Write("    <a href=\"");
        w.Write(WebUtility.HtmlEncode(hrefs.For(f)));
        w.Write("#sha256=");
        w.Write(f.Sha256);
        w.Write('"');
        // pip reads both on find-links pages as on simple pages (PEP 503, PEP 592): without them, pip -f
        // would install a yanked release or one for another Python. easy_install ignores both.
        if (!string.IsNullOrEmpty(f.RequiresPython))
        {
            w.Write(" data-requires-python=\"");
            w.Write(WebUtility.HtmlEncode(f.RequiresPython));
            w.Write('"');
        }

        if (f.Yanked)
        {
            w.Write(" data-yanked=\"");
            w.Write(WebUtility.HtmlEncode(f.YankedReason ?? ""));
            w.Write('"');
        }

        w.Write('>');
        w.Write(WebUtility.HtmlEncode(f.Filename));
        w.Write("</a><br/>\n");
    }

    private static void WriteFooter(TextWriter w, IReadOnlyList<DeveloperLink> links)
    {
        foreach (var link in links)
        {
            w.Write("    <a href=\"");
            w.Write(WebUtility.HtmlEncode(DeveloperLinks.RedactCredentials(link.Url)));
            w.Write("\">");
            w.Write(WebUtility.HtmlEncode(link.Project.Value));
            w.Write(" development version</a><br/>\n");
        }

        w.Write("  </body>\n</html>\n");
    }
}
