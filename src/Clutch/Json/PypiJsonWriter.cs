using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Clutch.Packaging;
using Clutch.Pages;
using Clutch.Reads;
using Clutch.Simple;
using Clutch.Storage;

namespace Clutch.Json;

/// <summary>Writes the Warehouse-compatible JSON API documents (<c>/pypi/{project}/json</c>).</summary>
public static class PypiJsonWriter
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// <paramref name="releases"/> null writes the per-version document (no "releases" key, as Warehouse does).
    /// </summary>
    public static byte[] Write(
        ProjectName project, Release release, CoreMetadata? metadata, IReadOnlyList<Release>? releases, string baseUrl)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            WriteInfo(w, project, release, metadata, baseUrl);
            w.WriteNumber("last_serial", LastSerial(releases ?? [release]));
            if (releases is not null)
            {
                w.WriteStartObject("releases");
                foreach (var r in releases)
                {
                    w.WriteStartArray(r.Key);
                    foreach (var f in r.Files)
                    {
                        WriteFile(w, f, baseUrl);
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
            }

            w.WriteStartArray("urls");
            foreach (var f in release.Files)
            {
                WriteFile(w, f, baseUrl);
            }

            w.WriteEndArray();
            w.WriteStartArray("vulnerabilities");
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteInfo(Utf8JsonWriter w, ProjectName project, Release release, CoreMetadata? m, string baseUrl)
    {
        w.WriteStartObject("info");
        w.WriteString("author", m?.Get("Author") ?? "");
        w.WriteString("author_email", m?.Get("Author-email") ?? "");
        WriteArray(w, "classifiers", m?.GetAll("Classifier") ?? []);
        w.WriteString("description", m?.Description ?? "");
        w.WriteString("description_content_type", m?.DescriptionContentType);
        w.WriteString("home_page", m?.Get("Home-page"));
        w.WriteString("keywords", m?.Get("Keywords"));
        w.WriteString("license", m?.Get("License"));
        w.WriteString("maintainer", m?.Get("Maintainer"));
        w.WriteString("maintainer_email", m?.Get("Maintainer-email"));
        w.WriteString("name", m?.Name ?? project.Value);
        w.WriteString("package_url", $"{baseUrl}/project/{project.Value}/");
        w.WriteString("platform", m?.Get("Platform"));
        w.WriteString("project_url", $"{baseUrl}/project/{project.Value}/");
        var urls = m?.GetAll("Project-URL") ?? [];
        if (urls.Count == 0)
        {
            w.WriteNull("project_urls");
        }
        else
        {
            w.WriteStartObject("project_urls");
            foreach (var u in urls)
            {
                var comma = u.IndexOf(',', StringComparison.Ordinal);
                if (comma > 0)
                {
                    w.WriteString(u[..comma].Trim(), u[(comma + 1)..].Trim());
                }
            }

            w.WriteEndObject();
        }

        w.WriteString("release_url", $"{baseUrl}/project/{project.Value}/{release.Key}/");
        var requires = m?.RequiresDist ?? [];
        if (requires.Count == 0)
        {
            w.WriteNull("requires_dist");
        }
        else
        {
            WriteArray(w, "requires_dist", requires);
        }

        w.WriteString("requires_python", m?.RequiresPython ?? release.Files.Select(f => f.RequiresPython).FirstOrDefault(r => r is not null) ?? "");
        w.WriteString("summary", m?.Summary ?? release.Files.Select(f => f.Summary).FirstOrDefault(s => s is not null));
        w.WriteString("version", release.Key);
        w.WriteBoolean("yanked", release.Yanked);
        w.WriteString("yanked_reason", release.Yanked ? release.Files[0].YankedReason : null);
        w.WriteEndObject();
    }

    private static void WriteFile(Utf8JsonWriter w, CatalogFile f, string baseUrl)
    {
        w.WriteStartObject();
        w.WriteString("comment_text", "");
        // md5 and blake2b are missing for a moment after an upload that sent sha256 only.
        w.WriteStartObject("digests");
        if (f.Blake2b256.Length > 0)
        {
            w.WriteString("blake2b_256", f.Blake2b256);
        }

        if (f.Md5.Length > 0)
        {
            w.WriteString("md5", f.Md5);
        }

        w.WriteString("sha256", f.Sha256);
        w.WriteEndObject();
        w.WriteNumber("downloads", -1);
        w.WriteString("filename", f.Filename);
        w.WriteBoolean("has_sig", false);
        w.WriteString("md5_digest", f.Md5.Length > 0 ? f.Md5 : null);
        w.WriteString("packagetype", f.Type.ToPackageType());
        w.WriteString("python_version", f.PythonTag ?? "");
        w.WriteString("requires_python", f.RequiresPython);
        w.WriteNumber("size", f.Size);
        w.WriteString("upload_time", f.UploadTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        w.WriteString("upload_time_iso_8601", SimpleJsonWriter.FormatTime(f.UploadTime));
        w.WriteString("url", baseUrl + "/files/" + FileUrls.EscapeKey(f.Path));
        w.WriteBoolean("yanked", f.Yanked);
        w.WriteString("yanked_reason", f.YankedReason);
        w.WriteEndObject();
    }

    /// <summary>A number that grows with every change: the newest upload time in microseconds.</summary>
    private static long LastSerial(IReadOnlyList<Release> releases)
    {
        long serial = 0;
        foreach (var r in releases)
        {
            foreach (var f in r.Files)
            {
                serial = Math.Max(serial, f.UploadTime.ToUnixTimeMilliseconds());
            }
        }

        return serial;
    }

    private static void WriteArray(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }
}
