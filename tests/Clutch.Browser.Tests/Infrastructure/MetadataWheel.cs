using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Clutch.Browser.Tests.Infrastructure;

/// <summary>
/// Writes a small pure-Python wheel whose METADATA says exactly what the test wants, hostile values
/// included (a build backend would refuse or rewrite them: a <c>javascript:</c> Project-URL, script in
/// the author). The wheel is complete (module, WHEEL, RECORD with hashes), so pip could install it.
/// </summary>
public sealed record MetadataWheel(string Name, string Version)
{
    /// <summary>Extra METADATA headers in order (Summary, Author, Home-page, Project-URL …); one line each.</summary>
    public IReadOnlyList<(string Header, string Value)> Headers { get; init; } = [];

    /// <summary>The long description (the body after the headers).</summary>
    public string? Description { get; init; }

    public string DescriptionContentType { get; init; } = "text/markdown";

    public string FileName => $"{Stem}-{Version}-py3-none-any.whl";

    private string Stem => Name.Replace('-', '_');

    /// <summary>Writes the wheel into <paramref name="directory"/> and returns its path.</summary>
    public string WriteTo(string directory)
    {
        var distInfo = $"{Stem}-{Version}.dist-info";
        var files = new List<(string Path, byte[] Bytes)>
        {
            ($"{Stem.ToLowerInvariant()}.py", Utf8($"__version__ = \"{Version}\"\n")),
            ($"{distInfo}/METADATA", Utf8(Metadata())),
            ($"{distInfo}/WHEEL", Utf8("Wheel-Version: 1.0\nGenerator: clutch-browser-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n")),
        };
        var record = new StringBuilder();
        foreach (var (path, bytes) in files)
        {
            var hash = Convert.ToBase64String(SHA256.HashData(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            record.Append(path).Append(",sha256=").Append(hash).Append(',').Append(bytes.Length).Append('\n');
        }

        record.Append(distInfo).Append("/RECORD,,\n");
        files.Add(($"{distInfo}/RECORD", Utf8(record.ToString())));

        var target = Path.Combine(directory, FileName);
        using var zip = ZipFile.Open(target, ZipArchiveMode.Create);
        foreach (var (path, bytes) in files)
        {
            using var entry = zip.CreateEntry(path).Open();
            entry.Write(bytes);
        }

        return target;
    }

    private string Metadata()
    {
        var text = new StringBuilder()
            .Append("Metadata-Version: 2.1\n")
            .Append("Name: ").Append(Name).Append('\n')
            .Append("Version: ").Append(Version).Append('\n');
        foreach (var (header, value) in Headers)
        {
            text.Append(header).Append(": ").Append(value).Append('\n');
        }

        if (Description is not null)
        {
            text.Append("Description-Content-Type: ").Append(DescriptionContentType).Append('\n')
                .Append('\n')
                .Append(Description);
        }

        return text.ToString();
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
