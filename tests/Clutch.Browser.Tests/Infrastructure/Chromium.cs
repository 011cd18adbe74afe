using Microsoft.Playwright;

namespace Clutch.Browser.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium, launched by path: Playwright's own browser download is never used (this machine's
/// network is closed, and the browser under test is the one people install with apt).
/// </summary>
public static class Chromium
{
    /// <summary><c>CLUTCH_TEST_CHROMIUM</c> if set, else Debian's launcher <c>/usr/bin/chromium</c>.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("CLUTCH_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>
    /// Headless, no sandbox (the tests run as root), and nothing that reaches beyond loopback: without the
    /// background-networking flags Chromium calls Google at start and waits on the closed network.
    /// </summary>
    public static BrowserTypeLaunchOptions LaunchOptions => new()
    {
        ExecutablePath = ExecutablePath,
        Headless = true,
        Args =
        [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
        Timeout = 30_000,
    };

    /// <summary>Whether a run without the browser fails rather than skips (scripts/test.sh with every service started).</summary>
    public static bool Required => Environment.GetEnvironmentVariable("CLUTCH_TEST_REQUIRE_SERVICES") == "1";

    /// <summary>Why the browser tests are skipped, or null when they run (Chromium present, or required).</summary>
    public static string? SkipReason =>
        File.Exists(ExecutablePath) || Required
            ? null
            : $"Chromium not found at {ExecutablePath} (apt-get install chromium; scripts/test.sh installs it)";
}

/// <summary>A fact that drives Chromium: skipped, saying why, when the browser is missing and services are not required.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute() => Skip = Chromium.SkipReason;
}
