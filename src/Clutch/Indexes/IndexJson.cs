using System.Globalization;
using System.Text.Json.Serialization;
using Clutch.Storage.Indexes;

namespace Clutch.Indexes;

/// <summary>The body of <c>POST /api/indexes</c>; <see cref="Ttl"/> as <c>30s</c>, <c>10m</c>, <c>2h</c>, <c>1d</c> or seconds.</summary>
public sealed record IndexCreateBody(string? Name, string? Upstream, IReadOnlyList<string>? Bases, string? Ttl, bool Private, IReadOnlyList<string>? Uploaders = null);

/// <summary>The body of <c>POST /api/indexes/{to}/promotions</c>.</summary>
public sealed record PromoteBody(string? Project, string? Version, string? From);

/// <summary>An index as the API and <c>clutch index show</c> describe it (credentials in the upstream URL left out).</summary>
public sealed record IndexView(string Name, string Kind, string? Upstream, IReadOnlyList<string> Bases, int TtlSeconds, bool Private, IReadOnlyList<string> Allowed, IReadOnlyList<string> Uploaders, DateTimeOffset Created, string? CreatedBy, string SimpleUrl)
{
    public static IndexView Of(IndexDefinition d) => new(
        d.Name,
        d.Upstream is null ? "local" : "mirror",
        d.Upstream is null ? null : IndexService.Redact(d.Upstream),
        [.. d.Bases.Select(b => b.Length == 0 ? IndexService.DefaultName : b)],
        (int)d.Ttl.TotalSeconds,
        d.Private,
        d.Allowed,
        d.Uploaders,
        d.Created,
        d.CreatedBy,
        "/" + d.Name + "/simple/");
}

/// <summary>One promoted file, as the API answers it.</summary>
public sealed record PromotionView(string From, string To, string Project, string Version, string Filename, string Sha256, string? Actor, DateTimeOffset At)
{
    public static PromotionView Of(Promotion p) => new(
        p.FromIndex.Length == 0 ? IndexService.DefaultName : p.FromIndex,
        p.ToIndex.Length == 0 ? IndexService.DefaultName : p.ToIndex,
        p.Project.Value, p.Version, p.Filename, p.Sha256, p.Actor, p.At);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(IndexCreateBody))]
[JsonSerializable(typeof(PromoteBody))]
[JsonSerializable(typeof(IndexView))]
[JsonSerializable(typeof(IReadOnlyList<IndexView>))]
[JsonSerializable(typeof(IReadOnlyList<PromotionView>))]
internal sealed partial class IndexJsonContext : JsonSerializerContext;

/// <summary>Durations as people write them: <c>90</c> (seconds), <c>30s</c>, <c>10m</c>, <c>2h</c>, <c>1d</c>.</summary>
public static class Durations
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var unit = text[^1];
        var (digits, scale) = char.IsAsciiDigit(unit) ? (text, 1) : (text[..^1], unit switch
        {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => 0,
        });
        if (scale == 0 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 100L * 365 * 86400 / scale)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(n * scale);
        return true;
    }
}
