using Clutch.Browser.Tests.Infrastructure;
using Clutch.EndToEnd.Tests.Harness;
using Microsoft.Playwright;

namespace Clutch.Browser.Tests.Flows;

/// <summary>An owner yanks a release from its page; pip then skips it unless pinned (PEP 592).</summary>
[Collection(BrowserCollection.Name)]
public sealed class YankTests(BrowserFixture browser, OwnerServer server) : IClassFixture<OwnerServer>
{
    private const string Reason = "broken build, yanked in the browser";

    [BrowserFact(Python = "3.11", Tools = [Twine.Executable])]
    public async Task Yanking_on_the_release_page_makes_pip_skip_that_version()
    {
        await server.UploadAsOwnerAsync(
            new MetadataWheel("browser_yank", "1.0").WriteTo(server.ScratchDir),
            new MetadataWheel("browser_yank", "1.1").WriteTo(server.ScratchDir));
        await using var session = await browser.NewSessionAsync(this);
        var page = session.Page;
        await server.SignInAsync(session, "/project/browser-yank/1.1/");

        await session.ClickAsync(page.Locator("a[href='/project/browser-yank/1.1/yank']"));
        Assert.Equal(server.BaseUrl + "/project/browser-yank/1.1/yank", page.Url);
        await session.CheckPageAsync();
        await page.Locator("input[name=reason]").FillAsync(Reason);
        var yanked = await session.ClickAsync(page.GetByRole(AriaRole.Button, new() { Name = "Yank release" }));
        Assert.Equal(200, yanked.Status);
        Assert.Equal(server.BaseUrl + "/project/browser-yank/1.1/", page.Url);
        await session.CheckPageAsync();

        await session.GotoAsync(server.BaseUrl + "/project/browser-yank/");
        var entry = page.Locator("ul.versions li", new() { Has = page.Locator("del", new() { HasText = "1.1" }) });
        Assert.Contains(Reason, await entry.InnerTextAsync(), StringComparison.Ordinal);

        var pip = PythonClient.For("3.11");
        using var latest = new TempDirectory("yank-latest");
        (await pip.PipInstallAsync(server.SimpleUrl, latest.Path, "browser-yank")).AssertSuccess();
        Assert.Equal("1.0", PythonClient.InstalledIn(latest.Path)["browser-yank"]);
        using var pinned = new TempDirectory("yank-pinned");
        (await pip.PipInstallAsync(server.SimpleUrl, pinned.Path, "browser-yank==1.1")).AssertSuccess();
        Assert.Equal("1.1", PythonClient.InstalledIn(pinned.Path)["browser-yank"]);
    }
}
