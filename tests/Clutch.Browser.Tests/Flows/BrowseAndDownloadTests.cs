using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Clutch.Browser.Tests.Infrastructure;
using Clutch.EndToEnd.Tests.Harness;
using Microsoft.Playwright;

namespace Clutch.Browser.Tests.Flows;

/// <summary>A server with a real wheel (built by the harness) among a few other projects.</summary>
public sealed class BrowseServer : ClutchServer
{
    protected override Task SeedAsync(string packagesDir)
    {
        new MetadataWheel("browser_other", "1.0") { Headers = [("Summary", "Not the one searched for")] }.WriteTo(packagesDir);
        return SeedPackagesAsync(packagesDir, (new PackageSpec("browser_fetch", "1.0"), PackageKind.Wheel));
    }
}

/// <summary>Someone finds a project by searching, opens its release and downloads the file it lists.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class BrowseAndDownloadTests(BrowserFixture browser, BrowseServer server) : IClassFixture<BrowseServer>
{
    [BrowserFact]
    public async Task Search_then_project_then_release_then_download_gives_the_bytes_whose_sha256_the_page_shows()
    {
        await using var session = await browser.NewSessionAsync(this);
        var page = session.Page;

        await session.GotoAsync(server.BaseUrl + "/");
        await session.CheckPageAsync();
        var search = page.Locator("header").GetByLabel("Search projects", new() { Exact = true });
        await search.FillAsync("fetch");
        await session.FollowAsync(() => search.PressAsync("Enter"), "Enter in the header's search box");
        Assert.StartsWith(server.BaseUrl + "/search/?q=fetch", page.Url, StringComparison.Ordinal);
        await session.CheckPageAsync();
        var results = page.Locator("ol.results li a");
        Assert.Equal(["/project/browser-fetch/"], await results.EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"));

        await session.ClickAsync(results.First);
        Assert.Equal(server.BaseUrl + "/project/browser-fetch/", page.Url);
        await session.CheckPageAsync();

        await session.ClickAsync(page.Locator("a[href='/project/browser-fetch/1.0/']").First);
        await session.CheckPageAsync();
        var row = page.Locator("table.files tr", new() { Has = page.Locator("a[href^='/files/']") });
        Assert.Equal(1, await row.CountAsync());
        var shown = Sha256Text().Match(await row.InnerTextAsync());
        Assert.True(shown.Success, $"no sha256 in the file's row: {await row.InnerTextAsync()}");

        var download = await page.RunAndWaitForDownloadAsync(() => row.Locator("a[href^='/files/']").ClickAsync());
        var saved = Path.Combine(session.ArtifactDir, download.SuggestedFilename);
        await download.SaveAsAsync(saved);
        var wheel = await PackageFactory.BuildAsync(new PackageSpec("browser_fetch", "1.0"));

        Assert.Equal(Path.GetFileName(wheel), download.SuggestedFilename);
        Assert.Equal(shown.Value.ToLowerInvariant(), Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(saved))));
        Assert.Equal(PackageFiles.Sha256(wheel), shown.Value.ToLowerInvariant());
        session.Trap.AssertNothingRan("after the download");
    }

    [GeneratedRegex("\\b[0-9a-fA-F]{64}\\b")]
    private static partial Regex Sha256Text();
}
