using Microsoft.Playwright;

namespace Clutch.Browser.Tests.Infrastructure;

/// <summary>
/// One test's browser context and page: the <see cref="ScriptTrap"/> is armed from the start, and every
/// page the test looks at through <see cref="VisitedAsync"/> or <see cref="CheckPageAsync"/> is
/// screenshotted (full page) into the test's artefact folder.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 800 };

    private readonly IBrowserContext context;
    private int shots;

    internal BrowserSession(IBrowserContext context, IPage page, string testName)
    {
        this.context = context;
        Page = page;
        Trap = new ScriptTrap(page);
        ArtifactDir = Artifacts.ForTest(testName);
    }

    public IPage Page { get; }

    public ScriptTrap Trap { get; }

    public IBrowserContext Context => context;

    /// <summary>This test's screenshots.</summary>
    public string ArtifactDir { get; }

    /// <summary>Navigates, fails unless the answer has <paramref name="status"/>, then as <see cref="VisitedAsync"/>.</summary>
    public async Task<IResponse> GotoAsync(string url, int status = 200)
    {
        var response = await Page.GotoAsync(url) ?? throw new InvalidOperationException($"no response for {url}");
        Assert.True(response.Status == status, $"GET {url} → {response.Status}, expected {status}");
        await VisitedAsync();
        return response;
    }

    /// <summary>
    /// Clicks (a link or a submit button) and waits until the page it leads to has loaded, then as
    /// <see cref="VisitedAsync"/>. Returns the last answer to the main frame's navigation (after redirects).
    /// </summary>
    public Task<IResponse> ClickAsync(ILocator target) => FollowAsync(() => target.ClickAsync(), target.ToString() ?? "a click");

    /// <summary>
    /// Does what leads to another page (a click, Enter in a form field) and waits until that page has
    /// loaded, then as <see cref="VisitedAsync"/>. Returns the last answer to the main frame's navigation.
    /// </summary>
    public async Task<IResponse> FollowAsync(Func<Task> action, string what)
    {
        IResponse? last = null;
        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnResponse(object? sender, IResponse response)
        {
            if (response.Request.IsNavigationRequest && response.Frame == Page.MainFrame)
            {
                last = response;
            }
        }

        void OnLoad(object? sender, IPage page) => loaded.TrySetResult();
        Page.Response += OnResponse;
        Page.Load += OnLoad;
        try
        {
            await action();
            await loaded.Task.WaitAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            Page.Response -= OnResponse;
            Page.Load -= OnLoad;
        }

        await VisitedAsync();
        return last ?? throw new InvalidOperationException($"{what} loaded {Page.Url} without a navigation response");
    }

    /// <summary>The page now shown ran no script; it is screenshotted.</summary>
    public async Task VisitedAsync()
    {
        await Page.WaitForLoadStateAsync(LoadState.Load);
        await ShotAsync("");
        Trap.AssertNothingRan("after loading " + Page.Url);
    }

    /// <summary>
    /// The page now shown passes axe-core at desktop width and at 360 px, fits 360 px without sideways
    /// scrolling, and ran no script; screenshotted at both widths.
    /// </summary>
    public async Task CheckPageAsync()
    {
        await Page.WaitForLoadStateAsync(LoadState.Load);
        await PageChecks.AssertAccessibleAsync(Page, $"{Desktop.Width} px wide");
        await Page.SetViewportSizeAsync(PageChecks.NarrowWidth, 800);
        try
        {
            await ShotAsync("360px");
            await PageChecks.AssertFitsNarrowAsync(Page);
            await PageChecks.AssertAccessibleAsync(Page, $"{PageChecks.NarrowWidth} px wide");
        }
        finally
        {
            await Page.SetViewportSizeAsync(Desktop.Width, Desktop.Height);
        }

        Trap.AssertNothingRan("while checking " + Page.Url);
    }

    /// <summary>A full-page screenshot named by order and URL path, e.g. <c>03-project-demo.png</c>.</summary>
    public async Task<string> ShotAsync(string suffix)
    {
        var path = new Uri(Page.Url).AbsolutePath;
        var name = $"{++shots:00}-{Artifacts.Slug(path)}{(suffix.Length > 0 ? "-" + suffix : "")}.png";
        var file = Path.Combine(ArtifactDir, name);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        return file;
    }

    public async ValueTask DisposeAsync() => await context.CloseAsync();
}
