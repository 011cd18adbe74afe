using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clutch.Mirror;

/// <summary>
/// The mirror's own storage form of parsed upstream pages (the catalog's <c>MirrorPage.Body</c>):
/// compact JSON, defaults (false, null) left out, through source-generated serialization.
/// </summary>
public static class UpstreamPageJson
{
    public static string Serialize(UpstreamProjectPage page) => JsonSerializer.Serialize(page, UpstreamPageJsonContext.Default.UpstreamProjectPage);

    public static string Serialize(UpstreamRoot root) => JsonSerializer.Serialize(root, UpstreamPageJsonContext.Default.UpstreamRoot);

    /// <exception cref="JsonException">Not a stored project page.</exception>
    public static UpstreamProjectPage DeserializeProject(string json)
    {
        var page = JsonSerializer.Deserialize(json, UpstreamPageJsonContext.Default.UpstreamProjectPage);
        if (page?.Name is null || page.Files is null || page.Files.Any(f => f?.Filename is null || f.Url is null))
        {
            throw new JsonException("A stored upstream project page lacks its name, its files, or a file's name or URL.");
        }

        return page;
    }

    /// <exception cref="JsonException">Not a stored root page.</exception>
    public static UpstreamRoot DeserializeRoot(string json)
    {
        var root = JsonSerializer.Deserialize(json, UpstreamPageJsonContext.Default.UpstreamRoot);
        if (root?.Names is null || root.Names.Any(n => n is null))
        {
            throw new JsonException("A stored upstream root page lacks its project names.");
        }

        return root;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(UpstreamProjectPage))]
[JsonSerializable(typeof(UpstreamRoot))]
internal sealed partial class UpstreamPageJsonContext : JsonSerializerContext;
