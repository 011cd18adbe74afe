using Microsoft.Playwright;

namespace Clutch.Browser.Tests.Infrastructure;

/// <summary>
/// Catches any sign that a page ran script: a dialog (alert, confirm, prompt), a console message
/// carrying <see cref="Marker"/>, an uncaught page error, or a Content-Security-Policy violation in the
/// console (the pages carry a policy that allows no script, so a block means the page tried to run
/// some; a blocked inline style is an error in the page too). Armed for the whole life of a page.
/// </summary>
public sealed class ScriptTrap
{
    /// <summary>What hostile metadata prints or alerts; no honest page ever logs it.</summary>
    public const string Marker = "CLUTCH-XSS-MARK";

    private readonly List<string> sprung = [];

    public ScriptTrap(IPage page)
    {
        page.Dialog += (_, dialog) =>
        {
            Record($"a {dialog.Type} dialog opened: \"{dialog.Message}\" on {page.Url}");
            _ = dialog.DismissAsync(); // leave the page usable; the test fails anyway
        };
        page.Console += (_, message) =>
        {
            if (message.Text.Contains(Marker, StringComparison.Ordinal))
            {
                Record($"console {message.Type} with the marker: \"{message.Text}\" on {page.Url}");
            }
            else if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                Record($"Content-Security-Policy violation: \"{message.Text}\" on {page.Url}");
            }
        };
        page.PageError += (_, error) => Record($"uncaught script error: \"{error}\" on {page.Url}");
    }

    /// <summary>Everything caught so far.</summary>
    public IReadOnlyList<string> Sprung
    {
        get
        {
            lock (sprung)
            {
                return [.. sprung];
            }
        }
    }

    /// <summary>Fails the test if anything was caught, listing all of it.</summary>
    public void AssertNothingRan(string where)
    {
        var caught = Sprung;
        Assert.True(caught.Count == 0, $"script ran or tried to run ({where}):\n  " + string.Join("\n  ", caught));
    }

    private void Record(string what)
    {
        lock (sprung)
        {
            sprung.Add(what);
        }
    }
}
