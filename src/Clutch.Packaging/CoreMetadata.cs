namespace Clutch.Packaging;

/// <summary>
/// Core metadata (PKG-INFO / METADATA), versions 1.0 to 2.4: RFC 822 style headers, multi-use
/// fields kept in order, the message body taken as the description.
/// </summary>
public sealed class CoreMetadata
{
    /// <summary>Every header in file order (name as written, value unfolded).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields { get; init; } = [];

    /// <summary>The description: the <c>Description</c> header or the message body.</summary>
    public string? Description { get; init; }

    public string? MetadataVersion => Get("Metadata-Version");
    public string? Name => Get("Name");
    public string? Version => Get("Version");
    public string? Summary => Get("Summary");
    public string? RequiresPython => Get("Requires-Python");
    public string? DescriptionContentType => Get("Description-Content-Type");
    public IReadOnlyList<string> RequiresDist => GetAll("Requires-Dist");

    /// <summary>First value of a field (case-insensitive), or null.</summary>
    public string? Get(string field) => throw new NotImplementedException();

    /// <summary>Every value of a multi-use field (case-insensitive), in order.</summary>
    public IReadOnlyList<string> GetAll(string field) => throw new NotImplementedException();

    /// <summary>Parses metadata text; lenient about what real-world tools write, never throws on content.</summary>
    public static CoreMetadata Parse(string text) => throw new NotImplementedException();

    /// <summary>Parses UTF-8 metadata bytes (invalid UTF-8 replaced, not fatal).</summary>
    public static CoreMetadata Parse(ReadOnlySpan<byte> utf8) => throw new NotImplementedException();
}
