using System.Web;
using Clutch.Browser.Tests.Infrastructure;

namespace Clutch.Browser.Tests.Flows;

/// <summary>A <c>--private</c> server with one project and its owner.</summary>
public sealed class PrivateServer : OwnerServer
{
    public PrivateServer()
        : base(DefaultUser, ["--private"])
    {
    }

    protected override Task SeedAsync(string packagesDir)
    {
        new MetadataWheel("browser_private", "1.0") { Headers = [("Summary", "Only for signed-in people")] }.WriteTo(packagesDir);
        return Task.CompletedTask;
    }
}

/// <summary>On a private index a browser is sent to sign in, and comes back to the page it asked for.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PrivateIndexTests(BrowserFixture browser, PrivateServer server) : IClassFixture<PrivateServer>
{
    [BrowserFact]
    public async Task A_page_of_a_private_index_asks_to_sign_in_and_then_shows_the_page()
    {
        await using var session = await browser.NewSessionAsync(this);
        var page = session.Page;

        await session.GotoAsync(server.BaseUrl + "/project/browser-private/");

        var login = new Uri(page.Url);
        Assert.Equal("/account/login", login.AbsolutePath);
        Assert.Equal("/project/browser-private/", HttpUtility.ParseQueryString(login.Query)["returnUrl"]);
        Assert.Equal(0, await page.GetByText("Only for signed-in people").CountAsync());
        await server.SubmitLoginAsync(session, "/project/browser-private/");
        Assert.Equal("Only for signed-in people", await page.Locator("p.summary").InnerTextAsync());
        await session.CheckPageAsync();
    }
}
