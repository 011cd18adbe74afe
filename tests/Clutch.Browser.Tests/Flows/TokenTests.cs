using Clutch.Browser.Tests.Infrastructure;
using Clutch.EndToEnd.Tests.Harness;
using Microsoft.Playwright;

namespace Clutch.Browser.Tests.Flows;

/// <summary>An owner makes an upload token in the browser, CI uses it with twine, and the owner revokes it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class TokenTests(BrowserFixture browser, OwnerServer server) : IClassFixture<OwnerServer>
{
    [BrowserFact(Tools = [Twine.Executable])]
    public async Task A_token_made_in_the_browser_uploads_with_twine_until_it_is_revoked()
    {
        await server.UploadAsOwnerAsync(new MetadataWheel("browser_token", "1.0").WriteTo(server.ScratchDir));
        await using var session = await browser.NewSessionAsync(this);
        var page = session.Page;
        await server.SignInAsync(session, "/account/tokens");

        await page.Locator("input[name=description]").FillAsync("browser ci");
        await page.Locator("input[name=project]").FillAsync("browser-token");
        await page.Locator("input[name=expires_days]").FillAsync("30");
        var created = await session.ClickAsync(page.GetByRole(AriaRole.Button, new() { Name = "Create token" }));
        Assert.Equal(200, created.Status);
        await session.CheckPageAsync();
        var token = (await page.Locator("code#new-token").InnerTextAsync()).Trim();
        Assert.Matches(@"^\S{20,}$", token);
        var row = page.Locator("table.tokens tr", new() { HasText = "browser ci" });
        Assert.Equal(1, await row.CountAsync());

        var withToken = new MetadataWheel("browser_token", "1.1").WriteTo(server.ScratchDir);
        (await Twine.UploadAsync(server.UploadUrl, "__token__", token, [withToken])).AssertSuccess();
        Assert.Contains(Path.GetFileName(withToken), await server.ListFilesAsync("browser-token"));

        // Shown once: the tokens page seen again lists the token but never its secret.
        await session.GotoAsync(server.BaseUrl + "/account/tokens");
        Assert.Equal(0, await page.Locator("code#new-token").CountAsync());
        Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);

        await session.ClickAsync(row.GetByRole(AriaRole.Button, new() { Name = "Revoke" }));

        var afterRevoke = new MetadataWheel("browser_token", "1.2").WriteTo(server.ScratchDir);
        var refused = await Twine.UploadAsync(server.UploadUrl, "__token__", token, [afterRevoke]);
        refused.AssertFailure();
        Assert.Matches(@"\b(401|403)\b", refused.StdOut + refused.StdErr);
        Assert.DoesNotContain(Path.GetFileName(afterRevoke), await server.ListFilesAsync("browser-token"));
    }
}
