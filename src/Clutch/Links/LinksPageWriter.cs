using System.Net;
using System.Text;
using Clutch.Simple;
using Clutch.Storage;

namespace Clutch.Links;

/// <summary>
/// The find-links page of the origin's lister: a plain list of <c>&lt;a&gt;</c> links to every file,
/// then the developer links (<c>VCS-URL#egg={project}-dev</c>) with any credentials removed.
/// </summary>
public static class LinksPageWriter
{
    public static byte[] Write(string title, IReadOnlyList<CatalogFile> files, IReadOnlyList<DeveloperLink> links, string filesPrefix)
    {
        var sb = new StringBuilder(256 + (files.Count * 160) + (links.Count * 120));
        var t = WebUtility.HtmlEncode(title);
        sb.Append("<!DOCTYPE html>\n<html>\n  <head>\n    <title>").Append(t)
            .Append("</title>\n  </head>\n  <body>\n    <h1>").Append(t).Append("</h1>\n");
        foreach (var f in files)
        {
            sb.Append("    <a href=\"").Append(WebUtility.HtmlEncode(filesPrefix + FileUrls.EscapeKey(f.Path)))
                .Append("#sha256=").Append(f.Sha256).Append("\">")
                .Append(WebUtility.HtmlEncode(f.Filename)).Append("</a><br/>\n");
        }

        foreach (var link in links)
        {
            var url = DeveloperLinks.RedactCredentials(link.Url);
            sb.Append("    <a href=\"").Append(WebUtility.HtmlEncode(url)).Append("\">")
                .Append(WebUtility.HtmlEncode(link.Project.Value)).Append(" development version</a><br/>\n");
        }

        sb.Append("  </body>\n</html>\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
