using Clutch.Simple;

namespace Clutch.Server.Tests.Simple;

public class ContentNegotiationTests
{
    [Theory]
    // What pip (22.2+) sends.
    [InlineData("application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01", SimpleFormat.Json)]
    // What uv sends.
    [InlineData("application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01", SimpleFormat.Json)]
    // What poetry sends for the JSON API.
    [InlineData("application/vnd.pypi.simple.v1+json", SimpleFormat.Json)]
    [InlineData("application/vnd.pypi.simple.latest+json", SimpleFormat.Json)]
    [InlineData("application/vnd.pypi.simple.v1+html", SimpleFormat.HtmlV1)]
    [InlineData("text/html", SimpleFormat.TextHtml)]
    [InlineData("", SimpleFormat.TextHtml)]
    // Browsers and old clients: wildcards answer HTML.
    [InlineData("*/*", SimpleFormat.TextHtml)]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", SimpleFormat.TextHtml)]
    [InlineData("application/*", SimpleFormat.HtmlV1)]
    // q-values are honoured, including a higher q on HTML.
    [InlineData("application/vnd.pypi.simple.v1+json;q=0.5, text/html;q=0.9", SimpleFormat.TextHtml)]
    [InlineData("application/vnd.pypi.simple.v1+json;q=0.5, application/vnd.pypi.simple.v1+html", SimpleFormat.HtmlV1)]
    // A specific q=0 beats a wildcard that would allow it.
    [InlineData("*/*, text/html;q=0, application/vnd.pypi.simple.v1+html;q=0", SimpleFormat.Json)]
    // Nothing acceptable.
    [InlineData("application/xml", SimpleFormat.None)]
    [InlineData("application/vnd.pypi.simple.v1+json;q=0", SimpleFormat.None)]
    [InlineData("image/png, text/plain", SimpleFormat.None)]
    public void Accept_header_picks_the_representation(string accept, SimpleFormat expected) =>
        Assert.Equal(expected, ContentNegotiation.Choose(accept, null));

    [Theory]
    [InlineData("application/vnd.pypi.simple.v1+json", SimpleFormat.Json)]
    [InlineData("json", SimpleFormat.Json)]
    [InlineData("application/vnd.pypi.simple.v1+html", SimpleFormat.HtmlV1)]
    [InlineData("text/html", SimpleFormat.TextHtml)]
    [InlineData("application/xml", SimpleFormat.None)]
    public void Format_parameter_overrides_accept(string format, SimpleFormat expected) =>
        Assert.Equal(expected, ContentNegotiation.Choose("text/html", format));
}
