using Clutch.EndToEnd.Tests.Harness;
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

/// <summary>
/// A fact that drives Chromium: skipped, saying why, when the browser is missing and services are not
/// required, or when a Python client it also needs (<see cref="Python"/>, <see cref="Tools"/>) is missing.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    private string? python;
    private string[] tools = [];

    public BrowserFactAttribute() => Skip = Chromium.SkipReason;

    /// <summary>A pyenv interpreter the test runs pip with, e.g. "3.11".</summary>
    public string? Python
    {
        get => python;
        set
        {
            python = value;
            if (value is not null && PythonInterpreters.Find(value) is null)
            {
                Skip ??= $"Python {value} not installed under {PythonInterpreters.PyenvRoot}/versions";
            }
        }
    }

    /// <summary>Executables the test needs besides the browser, e.g. <see cref="Twine.Executable"/>.</summary>
    public string[] Tools
    {
        get => tools;
        set
        {
            tools = value;
            Skip ??= MissingTools(value);
        }
    }

    /// <summary>Why a test needing these executables is skipped, or null when all are there.</summary>
    internal static string? MissingTools(IEnumerable<string> tools)
    {
        var missing = tools.Where(t => PythonInterpreters.FindTool(t) is null).ToList();
        return missing.Count > 0 ? $"missing tool(s): {string.Join(", ", missing)}" : null;
    }
}

/// <summary>A theory that drives Chromium, skipped like <see cref="BrowserFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserTheoryAttribute : TheoryAttribute
{
    private string[] tools = [];

    public BrowserTheoryAttribute() => Skip = Chromium.SkipReason;

    /// <summary>Executables the test needs besides the browser, e.g. <see cref="Twine.Executable"/>.</summary>
    public string[] Tools
    {
        get => tools;
        set
        {
            tools = value;
            Skip ??= BrowserFactAttribute.MissingTools(value);
        }
    }
}
