using System.Net;
using System.Text;

namespace Clutch.Home;

/// <summary>The home page: this server's index URL and the pip, uv, twine and poetry lines for it.</summary>
public static class HomePageWriter
{
    /// <summary>The page for a server reached at <paramref name="baseUrl"/> (no trailing slash); every part of it is escaped.</summary>
    public static byte[] Write(string baseUrl)
    {
        var simple = WebUtility.HtmlEncode(baseUrl + "/simple/");
        var links = WebUtility.HtmlEncode(baseUrl + "/links/");
        var upload = WebUtility.HtmlEncode(baseUrl + "/legacy/");
        var html = new StringBuilder(2048)
            .Append("<!DOCTYPE html>\n<html>\n  <head>\n    <meta charset=\"utf-8\">\n    <title>Clutch package index</title>\n  </head>\n  <body>\n")
            .Append("    <h1>Clutch package index</h1>\n")
            .Append("    <p>Index URL: <a href=\"").Append(simple).Append("\"><code>").Append(simple).Append("</code></a>")
            .Append(" (<a href=\"").Append(links).Append("\">find-links page</a>)</p>\n")
            .Append("    <h2>Install</h2>\n")
            .Append("    <pre>pip install --index-url ").Append(simple).Append(" PACKAGE\n")
            .Append("uv pip install --index-url ").Append(simple).Append(" PACKAGE\n")
            .Append("easy_install -f ").Append(links).Append(" PACKAGE</pre>\n")
            .Append("    <p>For good, in <code>pip.conf</code>:</p>\n")
            .Append("    <pre>[global]\nindex-url = ").Append(simple).Append("</pre>\n")
            .Append("    <h2>Publish</h2>\n")
            .Append("    <pre>twine upload --repository-url ").Append(upload).Append(" -u USER dist/*\n")
            .Append("twine upload --repository-url ").Append(upload).Append(" -u __token__ -p TOKEN dist/*</pre>\n")
            .Append("  </body>\n</html>\n");
        return Encoding.UTF8.GetBytes(html.ToString());
    }
}
