using System.Net;
using System.Text;

namespace Clutch.Simple;

/// <summary>Renders simple pages as PEP 503 HTML (with PEP 629 meta, PEP 592 yank, PEP 658/714 metadata).</summary>
public static class SimpleHtmlWriter
{
    /// <summary>The API version the pages declare (PEP 629 / 691 / 700).</summary>
    public const string ApiVersion = "1.1";

    public static byte[] WriteProject(SimpleProjectPage page)
    {
        var sb = new StringBuilder(256 + (page.Files.Count * 220));
        var name = WebUtility.HtmlEncode(page.Name.Value);
        sb.Append("<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"")
            .Append(ApiVersion).Append("\">\n    <title>Links for ").Append(name)
            .Append("</title>\n  </head>\n  <body>\n    <h1>Links for ").Append(name).Append("</h1>\n");
        foreach (var f in page.Files)
        {
            sb.Append("    <a href=\"").Append(WebUtility.HtmlEncode(f.Url)).Append("#sha256=").Append(f.Sha256).Append('"');
            if (!string.IsNullOrEmpty(f.RequiresPython))
            {
                sb.Append(" data-requires-python=\"").Append(WebUtility.HtmlEncode(f.RequiresPython)).Append('"');
            }

            if (f.CoreMetadataSha256 is not null)
            {
                // Both spellings: PEP 714 renamed the attribute; older pips only know the first.
                sb.Append(" data-dist-info-metadata=\"sha256=").Append(f.CoreMetadataSha256)
                    .Append("\" data-core-metadata=\"sha256=").Append(f.CoreMetadataSha256).Append('"');
            }

            if (f.Yanked)
            {
                sb.Append(" data-yanked=\"").Append(WebUtility.HtmlEncode(f.YankedReason ?? "")).Append('"');
            }

            sb.Append('>').Append(WebUtility.HtmlEncode(f.Filename)).Append("</a><br/>\n");
        }

        sb.Append("  </body>\n</html>\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static byte[] WriteIndex(SimpleIndexPage page)
    {
        var sb = new StringBuilder(256 + (page.Projects.Count * 64));
        sb.Append("<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"")
            .Append(ApiVersion).Append("\">\n    <title>Simple index</title>\n  </head>\n  <body>\n");
        foreach (var p in page.Projects)
        {
            sb.Append("    <a href=\"").Append(Uri.EscapeDataString(p.Name.Value)).Append("/\">")
                .Append(WebUtility.HtmlEncode(p.DisplayName)).Append("</a><br/>\n");
        }

        sb.Append("  </body>\n</html>\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
