using Clutch.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Sdk;

namespace Clutch.Browser.Tests;

/// <summary>
/// The shared checks can fail: each is shown a page built to break it (served by Playwright's router
/// under the same Content-Security-Policy the real pages carry), and must say so.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CheckSelfTests(BrowserFixture browser)
{
    private const string Origin = "http://clutch-self-check.test";
    private const string Policy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    [BrowserFact]
    public async Task The_trap_catches_an_alert_and_a_console_marker_on_a_page_without_a_policy()
    {
        await using var session = await browser.NewSessionAsync(this);
        await ServeAsync(session, $"<script>console.log('{ScriptTrap.Marker}'); alert('{ScriptTrap.Marker}')</script>", policy: null);

        await session.Page.GotoAsync(Origin + "/");

        var failure = Assert.Throws<TrueException>(() => session.Trap.AssertNothingRan("self-check"));
        Assert.Contains("dialog opened", failure.Message, StringComparison.Ordinal);
        Assert.Contains("console log with the marker", failure.Message, StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task The_trap_catches_a_script_the_policy_blocked()
    {
        await using var session = await browser.NewSessionAsync(this);
        await ServeAsync(session, "<p>hello</p><img src=x onerror=\"alert(1)\"><script>alert(2)</script>", Policy);

        await session.Page.GotoAsync(Origin + "/");

        var failure = Assert.Throws<TrueException>(() => session.Trap.AssertNothingRan("self-check"));
        Assert.Contains("Content-Security-Policy violation", failure.Message, StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task Axe_fails_a_page_with_serious_violations_and_names_rule_and_element()
    {
        await using var session = await browser.NewSessionAsync(this);
        await ServeAsync(session, "<main><h1>x</h1><form><input id=\"nameless\"></form></main>", Policy);
        await session.Page.GotoAsync(Origin + "/");

        var failure = await Assert.ThrowsAsync<TrueException>(() => PageChecks.AssertAccessibleAsync(session.Page, "self-check"));

        Assert.Contains("label (critical)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("#nameless", failure.Message, StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task A_page_wider_than_360_px_fails_the_narrow_check()
    {
        await using var session = await browser.NewSessionAsync(this);
        await ServeAsync(session, "<main><h1>x</h1><pre>" + new string('x', 200) + "</pre></main>", Policy);
        await session.Page.SetViewportSizeAsync(PageChecks.NarrowWidth, 800);
        await session.Page.GotoAsync(Origin + "/");

        var failure = await Assert.ThrowsAsync<TrueException>(() => PageChecks.AssertFitsNarrowAsync(session.Page));

        Assert.Contains("<pre>", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>Answers every request to <see cref="Origin"/> with one HTML page (and the policy, if any); nothing reaches the network.</summary>
    private static Task ServeAsync(BrowserSession session, string body, string? policy) =>
        session.Page.RouteAsync(Origin + "/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 200,
            ContentType = "text/html; charset=utf-8",
            Headers = policy is null ? [] : new Dictionary<string, string> { ["Content-Security-Policy"] = policy },
            Body = $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>self-check</title></head><body>{body}</body></html>",
        }));
}
