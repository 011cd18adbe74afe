using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Clutch.Simple;

/// <summary>Renders simple pages as PEP 691 JSON with PEP 700 fields, straight to UTF-8.</summary>
public static class SimpleJsonWriter
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] WriteProject(SimpleProjectPage page)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (page.Files.Count * 400));
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            WriteMeta(w);
            w.WriteString("name", page.Name.Value);
            w.WriteStartArray("files");
            foreach (var f in page.Files)
            {
                w.WriteStartObject();
                w.WriteString("filename", f.Filename);
                w.WriteString("url", f.Url);
                w.WriteStartObject("hashes");
                w.WriteString("sha256", f.Sha256);
                w.WriteEndObject();
                if (!string.IsNullOrEmpty(f.RequiresPython))
                {
                    w.WriteString("requires-python", f.RequiresPython);
                }

                // Only the PEP 714 key: pip 23.0 crashes on "dist-info-metadata" in JSON.
                if (f.CoreMetadataSha256 is not null)
                {
                    w.WriteStartObject("core-metadata");
                    w.WriteString("sha256", f.CoreMetadataSha256);
                    w.WriteEndObject();
                }
                else
                {
                    w.WriteBoolean("core-metadata", false);
                }

                if (f.Yanked)
                {
                    if (string.IsNullOrEmpty(f.YankedReason))
                    {
                        w.WriteBoolean("yanked", true);
                    }
                    else
                    {
                        w.WriteString("yanked", f.YankedReason);
                    }
                }
                else
                {
                    w.WriteBoolean("yanked", false);
                }

                // A mirrored file whose upstream gave no size or upload time (an HTML-only upstream)
                // leaves them out rather than state a wrong one.
                if (f.Size >= 0)
                {
                    w.WriteNumber("size", f.Size);
                }

                if (f.UploadTime != default)
                {
                    w.WriteString("upload-time", FormatTime(f.UploadTime));
                }
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("versions");
            foreach (var v in page.Versions)
            {
                w.WriteStringValue(v);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] WriteIndex(SimpleIndexPage page)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (page.Projects.Count * 40));
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            WriteMeta(w);
            w.WriteStartArray("projects");
            foreach (var p in page.Projects)
            {
                w.WriteStartObject();
                w.WriteString("name", p.DisplayName);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>PEP 700 format: <c>yyyy-mm-ddThh:mm:ss.ffffffZ</c>, UTC.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static void WriteMeta(Utf8JsonWriter w)
    {
        w.WriteStartObject("meta");
        w.WriteString("api-version", SimpleHtmlWriter.ApiVersion);
        w.WriteEndObject();
    }
}
