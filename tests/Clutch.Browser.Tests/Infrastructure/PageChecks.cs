using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Clutch.Browser.Tests.Infrastructure;

/// <summary>The checks every page passes: axe-core without serious or critical violations, and no sideways scroll at 360 px.</summary>
public static class PageChecks
{
    /// <summary>The narrowest phone width the pages promise to work at.</summary>
    public const int NarrowWidth = 360;

    private static readonly string[] Blocking = ["serious", "critical"];

    /// <summary>Runs axe-core (the npm package's script, injected into the page) and fails on serious or critical violations.</summary>
    public static async Task AssertAccessibleAsync(IPage page, string where)
    {
        var result = await page.RunAxe();
        var blocking = result.Violations.Where(v => Blocking.Contains(v.Impact)).ToList();
        Assert.True(
            blocking.Count == 0,
            $"axe-core found {blocking.Count} serious or critical violation(s) on {page.Url} ({where}):\n"
            + string.Join("\n", blocking.Select(Describe)));
    }

    /// <summary>Fails when the page is wider than the viewport at <see cref="NarrowWidth"/> px (content would scroll sideways).</summary>
    public static async Task AssertFitsNarrowAsync(IPage page)
    {
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(
            width <= NarrowWidth,
            $"{page.Url} is {width} px wide at a {NarrowWidth} px viewport (document.documentElement.scrollWidth); "
            + $"widest elements: {await WidestAsync(page)}");
    }

    private static string Describe(AxeResultItem violation) =>
        $"  {violation.Id} ({violation.Impact}): {violation.Help}\n"
        + string.Join("\n", violation.Nodes.Select(n => $"    at {n.Target}: {Shorten(n.Html)}"));

    private static string Shorten(string html) => html.Length > 160 ? html[..160] + "…" : html;

    /// <summary>The three elements reaching furthest right, to say what overflows.</summary>
    private static async Task<string> WidestAsync(IPage page) =>
        await page.EvaluateAsync<string>(
            """
            () => [...document.querySelectorAll('body *')]
                .map(e => [e, e.getBoundingClientRect().right])
                .sort((a, b) => b[1] - a[1]).slice(0, 3)
                .map(([e, r]) => `<${e.tagName.toLowerCase()}${e.className ? '.' + e.className : ''}> right=${Math.round(r)}`)
                .join(', ')
            """);
}
