using System.Globalization;
using System.Text.Json;

namespace Clutch.Mirror;

/// <summary>Reads PEP 691 JSON simple pages (with PEP 700 size and upload time, PEP 714 metadata keys).</summary>
public static class UpstreamJsonParser
{
    /// <summary>
    /// A project page. <paramref name="pageUrl"/> is where it was fetched from (after redirects);
    /// relative file URLs resolve against it. The name is the JSON <c>name</c>, else <paramref name="requestedName"/>.
    /// </summary>
    /// <exception cref="UpstreamFormatException">Not JSON, or not shaped like a project page.</exception>
    public static UpstreamProjectPage ParseProject(ReadOnlyMemory<byte> json, Uri pageUrl, string requestedName)
    {
        using var document = Parse(json, pageUrl);
        var root = document.RootElement;
        if (!root.TryGetProperty("files", out var filesElement) || filesElement.ValueKind != JsonValueKind.Array)
        {
            throw Malformed(pageUrl, "it has no \"files\" array");
        }

        var files = new List<UpstreamFile>(filesElement.GetArrayLength());
        var n = 0;
        foreach (var file in filesElement.EnumerateArray())
        {
            files.Add(ParseFile(file, pageUrl, n++));
        }

        var name = String(root, "name") is { Length: > 0 } spelled ? spelled : requestedName;
        return new UpstreamProjectPage(name, files);
    }

    /// <summary>A root page: <c>projects[].name</c>.</summary>
    /// <exception cref="UpstreamFormatException">Not JSON, or not shaped like a root page.</exception>
    public static UpstreamRoot ParseRoot(ReadOnlyMemory<byte> json, Uri pageUrl)
    {
        using var document = Parse(json, pageUrl);
        if (!document.RootElement.TryGetProperty("projects", out var projects) || projects.ValueKind != JsonValueKind.Array)
        {
            throw Malformed(pageUrl, "it has no \"projects\" array");
        }

        var names = new List<string>(projects.GetArrayLength());
        var n = 0;
        foreach (var project in projects.EnumerateArray())
        {
            names.Add(String(project, "name") is { Length: > 0 } name ? name : throw Malformed(pageUrl, $"projects[{n}] has no \"name\""));
            n++;
        }

        return new UpstreamRoot(names);
    }

    private static JsonDocument Parse(ReadOnlyMemory<byte> json, Uri pageUrl)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new UpstreamFormatException($"Upstream page {UpstreamAddress.Redact(pageUrl)} is not valid JSON: {e.Message}", e);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw Malformed(pageUrl, "it is not a JSON object");
        }

        if (document.RootElement.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object)
        {
            try
            {
                UpstreamPageRules.CheckApiVersion(String(meta, "api-version"), pageUrl);
            }
            catch
            {
                document.Dispose();
                throw;
            }
        }

        return document;
    }

    private static UpstreamFile ParseFile(JsonElement file, Uri pageUrl, int n)
    {
        if (file.ValueKind != JsonValueKind.Object)
        {
            throw Malformed(pageUrl, $"files[{n}] is not an object");
        }

        var filename = String(file, "filename") is { Length: > 0 } f ? f : throw Malformed(pageUrl, $"files[{n}] has no \"filename\"");
        var href = String(file, "url") is { Length: > 0 } u ? u : throw Malformed(pageUrl, $"files[{n}] ({filename}) has no \"url\"");
        var url = UpstreamPageRules.FileUrl(pageUrl, href, out _) ?? throw Malformed(pageUrl, $"files[{n}] ({filename}) has a \"url\" that is not an http(s) URL");
        var sha256 = file.TryGetProperty("hashes", out var hashes) && hashes.ValueKind == JsonValueKind.Object
            ? UpstreamPageRules.Sha256(String(hashes, "sha256"))
            : null;
        var (yanked, reason) = file.TryGetProperty("yanked", out var y)
            ? y.ValueKind switch
            {
                JsonValueKind.True => (true, null),
                JsonValueKind.String => (true, y.GetString() is { Length: > 0 } r ? r : null),
                _ => (false, (string?)null),
            }
            : (false, null);
        // PEP 714: "core-metadata" wins over the older "dist-info-metadata".
        var (hasMetadata, metadataSha256) = file.TryGetProperty("core-metadata", out var metadata) || file.TryGetProperty("dist-info-metadata", out metadata)
            ? metadata.ValueKind switch
            {
                JsonValueKind.True => (true, null),
                JsonValueKind.Object => (true, UpstreamPageRules.Sha256(String(metadata, "sha256"))),
                _ => (false, (string?)null),
            }
            : (false, null);
        long? size = file.TryGetProperty("size", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out var bytes) && bytes >= 0 ? bytes : null;
        DateTimeOffset? uploaded = String(file, "upload-time") is { } time
            && DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : null;
        return new UpstreamFile(
            filename, url, sha256, String(file, "requires-python") is { Length: > 0 } rp ? rp : null, yanked, reason, hasMetadata, metadataSha256, size, uploaded);
    }

    /// <summary>A string property's value, or null when absent or not a string.</summary>
    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static UpstreamFormatException Malformed(Uri pageUrl, string what) =>
        new($"Upstream page {UpstreamAddress.Redact(pageUrl)} is not a PEP 691 page: {what}.");
}
