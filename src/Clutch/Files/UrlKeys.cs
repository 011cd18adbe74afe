namespace Clutch.Files;

/// <summary>Checks a key taken from a URL before it goes anywhere near storage.</summary>
public static class UrlKeys
{
    /// <summary>
    /// True for a relative '/'-separated key whose every segment is a plain name: no empty, dot or
    /// dot-dot segment, no hidden (dot-prefixed) segment, no backslash, colon, percent or control
    /// character. Anything else is refused before lookup, whatever the storage would do with it.
    /// </summary>
    public static bool IsSafe(string key)
    {
        if (key.Length == 0 || key.Length > 1024)
        {
            return false;
        }

        var segmentStart = true;
        foreach (var c in key)
        {
            if (c == '/')
            {
                if (segmentStart)
                {
                    return false;
                }

                segmentStart = true;
                continue;
            }

            if (c < 0x20 || c == 0x7f || c is '\\' or ':' or '%' || (segmentStart && c == '.'))
            {
                return false;
            }

            segmentStart = false;
        }

        return !segmentStart;
    }
}
