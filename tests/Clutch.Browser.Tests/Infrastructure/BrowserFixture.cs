using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace Clutch.Browser.Tests.Infrastructure;

/// <summary>
/// One Playwright driver and one Chromium for the whole collection (starting a browser costs about a
/// second); each test gets its own context from <see cref="NewSessionAsync"/>, so no cookie or
/// storage leaks between tests.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? playwright;
    private IBrowser? browser;

    public IBrowser Browser => browser ?? throw new InvalidOperationException(
        $"Chromium did not start: {StartError}");

    /// <summary>Why the browser could not start (null when it did or the tests are skipped).</summary>
    public string? StartError { get; private set; }

    public async Task InitializeAsync()
    {
        if (Chromium.SkipReason is not null)
        {
            return; // every test is skipped with the reason; nothing to start
        }

        if (!File.Exists(Chromium.ExecutablePath))
        {
            StartError = $"Chromium not found at {Chromium.ExecutablePath} and CLUTCH_TEST_REQUIRE_SERVICES=1 (apt-get install chromium)";
            return;
        }

        try
        {
            playwright = await Playwright.CreateAsync();
            browser = await playwright.Chromium.LaunchAsync(Chromium.LaunchOptions);
        }
        catch (PlaywrightException e)
        {
            StartError = $"Playwright could not launch {Chromium.ExecutablePath}: {e.Message}";
        }
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
        }

        playwright?.Dispose();
    }

    /// <summary>A fresh context and page for one test, with the script trap armed and screenshots named after the test.</summary>
    public async Task<BrowserSession> NewSessionAsync(object test, [CallerMemberName] string testMethod = "")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = BrowserSession.Desktop,
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        return new BrowserSession(context, page, test.GetType().Name + "." + testMethod);
    }
}

/// <summary>Every browser test class is in this collection: one Chromium, tests one at a time (2 cores).</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Chromium";
}
