using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace Clutch.Web;

/// <summary>Text for a <c>&lt;pre&gt;</c>: the encoder writes a newline as <c>&amp;#xA;</c>, which makes pages larger and their source unreadable.</summary>
public static class HtmlText
{
    /// <summary><paramref name="text"/> HTML-encoded line by line, the lines joined by real newlines.</summary>
    public static HtmlString Multiline(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            lines[i] = HtmlEncoder.Default.Encode(lines[i].TrimEnd('\r'));
        }

        return new HtmlString(string.Join('\n', lines));
    }
}
