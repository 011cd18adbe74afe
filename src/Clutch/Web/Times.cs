using System.Globalization;

namespace Clutch.Web;

/// <summary>How the pages write a time: in UTC, to the minute for people, in full in <c>&lt;time datetime&gt;</c>.</summary>
public static class Times
{
    public static string Text(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
