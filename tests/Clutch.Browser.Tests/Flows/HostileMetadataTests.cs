using Clutch.Browser.Tests.Infrastructure;
using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.Browser.Tests.Flows;

/// <summary>
/// A server where a user whose very name is a script has uploaded (with twine) packages carrying script
/// in every metadata field a page may show, and <c>javascript:</c> / <c>data:</c> URLs where links go.
/// </summary>
public sealed class HostileServer : OwnerServer
{
    /// <summary>User names may hold anything but spaces, colons and control characters: the uploader column shows it.</summary>
    public const string HostileUser = $"<script>alert('{ScriptTrap.Marker}')</script>";

    private const string Script = $"<script>alert('{ScriptTrap.Marker}')</script>";
    private const string Handler = $"<img src=x onerror=\"alert('{ScriptTrap.Marker}')\">";
    private const string JavascriptUrl = $"javascript:alert('{ScriptTrap.Marker}')";
    private const string DataUrl = $"data:text/html,<script>alert('{ScriptTrap.Marker}')</script>";

    private readonly Lazy<Task> published;

    public HostileServer()
        : base(HostileUser) => published = new Lazy<Task>(PublishAsync);

    /// <summary>The hostile packages, uploaded once for all the tests of the class.</summary>
    public Task PublishedAsync() => published.Value;

    /// <summary>Everything a build backend would let through and more, in the fields a page shows.</summary>
    public static IReadOnlyList<(string Header, string Value)> HostileHeaders =>
    [
        ("Summary", $"browser-hostile {Script}{Handler}"),
        ("Author", Script),
        ("Author-email", $"\"{Handler}\" <author@example.invalid>"),
        ("Maintainer", Handler),
        ("License", Script),
        ("Keywords", Script),
        ("Home-page", JavascriptUrl),
        ("Download-URL", DataUrl),
        ("Requires-Python", ">=3.7"),
        ("Project-URL", $"{Script}, {JavascriptUrl}"),
        ("Project-URL", $"Documentation, {DataUrl}"),
        ("Project-URL", $"Source, JaVaScRiPt:alert('{ScriptTrap.Marker}')"),
        ("Project-URL", $"Tracker,  \tjavascript:alert('{ScriptTrap.Marker}')"),
    ];

    /// <summary>Markdown with raw HTML (to be removed) and links whose targets run script (to be no links).</summary>
    public const string MarkdownDescription =
        $"# Hostile {Script}\n\n"
        + $"{Script}\n\n"
        + $"{Handler}\n\n"
        + $"<a href=\"{JavascriptUrl}\">raw anchor</a>\n\n"
        + $"[a javascript link]({JavascriptUrl}) and [a data link]({DataUrl}) and ![image](javascript:alert(1))\n\n"
        + $"<iframe src=\"{DataUrl}\"></iframe><object data=\"{DataUrl}\"></object>\n\n"
        + $"<svg onload=\"alert('{ScriptTrap.Marker}')\"></svg>\n";

    private async Task PublishAsync()
    {
        var dir = ScratchDir;
        var markdown = new MetadataWheel("browser_hostile", "1.0") { Headers = HostileHeaders, Description = MarkdownDescription }.WriteTo(dir);
        var rst = new MetadataWheel("browser_hostile_rst", "1.0")
        {
            Headers = [("Summary", $"browser-hostile {Script}")],
            Description = $".. raw:: html\n\n   {Script}\n\n`link <{JavascriptUrl}>`_\n",
            DescriptionContentType = "text/x-rst",
        }.WriteTo(dir);
        var plain = new MetadataWheel("browser_hostile_text", "1.0")
        {
            Headers = [("Summary", $"browser-hostile {Handler}")],
            Description = $"{Script}\n{JavascriptUrl}\n",
            DescriptionContentType = "text/plain",
        }.WriteTo(dir);
        await UploadAsOwnerAsync(markdown, rst, plain);
    }
}

/// <summary>
/// Hostile metadata renders inert on every page: the trap sees no dialog, no marker, no CSP block; no
/// page has a script element, an event-handler attribute or a link to a <c>javascript:</c> or
/// <c>data:</c> URL; and every page still passes axe and fits 360 px.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class HostileMetadataTests(BrowserFixture browser, HostileServer server) : IClassFixture<HostileServer>
{
    [BrowserTheory(Tools = [Twine.Executable])]
    [InlineData("/", 200)]
    [InlineData("/project/browser-hostile/", 200)]
    [InlineData("/project/browser-hostile-rst/", 200)]
    [InlineData("/project/browser-hostile-text/", 200)]
    [InlineData("/search/?q=browser-hostile", 200)]
    [InlineData("/projects/", 200)]
    [InlineData("/project/browser-hostile/1.0/", 200)]
    [InlineData("/help/", 200)]
    [InlineData("/account/login", 200)]
    [InlineData("/project/browser-no-such/", 404)]
    [InlineData("/project/browser-hostile/9.9/", 404)]
    public async Task No_page_runs_the_script_in_the_metadata(string path, int status)
    {
        await server.PublishedAsync();
        await using var session = await browser.NewSessionAsync(this, $"{nameof(No_page_runs_the_script_in_the_metadata)}{path}");

        await session.GotoAsync(server.BaseUrl + path, status);

        await InertAsync(session);
        await session.CheckPageAsync();
    }

    [BrowserFact(Tools = [Twine.Executable])]
    public async Task Signed_in_as_the_user_named_with_a_script_no_page_runs_it()
    {
        await server.PublishedAsync();
        await using var session = await browser.NewSessionAsync(this);

        await server.SignInAsync(session, "/account/tokens");

        Assert.Contains(HostileServer.HostileUser, await session.Page.Locator("header nav.account").InnerTextAsync(), StringComparison.Ordinal);
        // The pages only a signed-in owner sees get the full checks; the others were checked signed out.
        foreach (var (path, ownerOnly) in (IEnumerable<(string, bool)>)[
            ("/account/tokens", true), ("/project/browser-hostile/1.0/", true), ("/project/browser-hostile/1.0/yank", true),
            ("/project/browser-hostile/1.0/delete", true), ("/project/browser-hostile/", false), ("/", false)])
        {
            await session.GotoAsync(server.BaseUrl + path);
            await InertAsync(session);
            if (ownerOnly)
            {
                await session.CheckPageAsync();
            }
        }
    }

    /// <summary>The page holds nothing that could run: no script-bearing element or attribute, no hostile link.</summary>
    private static async Task InertAsync(BrowserSession session)
    {
        var page = session.Page;
        Assert.Equal(0, await page.Locator("script, iframe, object, embed, base").CountAsync());
        Assert.Equal(0, await page.Locator("a[href^='javascript:' i], a[href^='data:' i], area[href^='javascript:' i], area[href^='data:' i]").CountAsync());
        var handlers = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('*')].flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => `<${e.localName} ${a.name}>`))");
        Assert.True(handlers.Length == 0, "event-handler attributes: " + string.Join(", ", handlers));
        // What the browser would follow, after it strips the whitespace and case tricks the selectors miss.
        var hostile = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('a[href], area[href], form[action]')].map(e => e.href || e.action).filter(u => /^(javascript|data|vbscript):/i.test(new URL(u, location.href).protocol))");
        Assert.True(hostile.Length == 0, "links to script: " + string.Join(", ", hostile));
        session.Trap.AssertNothingRan("on " + page.Url);
    }
}
