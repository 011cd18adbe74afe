using Clutch.Browser.Tests.Infrastructure;
using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.Browser.Tests;

/// <summary>A server with one ordinary project and one whose summary is a script.</summary>
public sealed class ProjectPageServer : ClutchServer
{
    public const string HostileSummary = $"<script>alert('{ScriptTrap.Marker}')</script><img src=x onerror=\"console.log('{ScriptTrap.Marker}')\">";

    protected override Task SeedAsync(string packagesDir)
    {
        new MetadataWheel("browser_plain", "1.0") { Headers = [("Summary", "An ordinary project")] }.WriteTo(packagesDir);
        new MetadataWheel("browser_plain", "2.0b1") { Headers = [("Summary", "An ordinary project")] }.WriteTo(packagesDir);
        new MetadataWheel("browser_summary", "1.0") { Headers = [("Summary", HostileSummary)] }.WriteTo(packagesDir);
        return Task.CompletedTask;
    }
}

/// <summary>The project page in Chromium, from the real program.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ProjectPageTests(BrowserFixture browser, ProjectPageServer server) : IClassFixture<ProjectPageServer>
{
    [BrowserFact]
    public async Task The_project_page_is_accessible_and_fits_360_px()
    {
        await using var session = await browser.NewSessionAsync(this);

        await session.GotoAsync(server.BaseUrl + "/project/browser-plain/");

        Assert.Equal("browser_plain · Clutch", await session.Page.TitleAsync()); // the name as its metadata spells it
        await session.CheckPageAsync();
    }

    [BrowserFact]
    public async Task A_script_in_the_summary_is_shown_as_text_and_never_runs()
    {
        await using var session = await browser.NewSessionAsync(this);

        await session.GotoAsync(server.BaseUrl + "/project/browser-summary/");

        Assert.Equal(ProjectPageServer.HostileSummary, await session.Page.Locator("p.summary").InnerTextAsync());
        Assert.Equal(0, await session.Page.Locator("main script, main img").CountAsync());
        await session.CheckPageAsync();
    }
}
