using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Clutch.Server.Tests.Harness;

/// <summary>Builds small but well-formed distributions on disk for in-process tests.</summary>
public static class TestDistributions
{
    /// <summary>
    /// METADATA text; <paramref name="headers"/> are more header lines (each ending in a newline),
    /// <paramref name="description"/> the body.
    /// </summary>
    public static string Metadata(
        string name, string version, string? requiresPython = null, string summary = "A test package", string headers = "", string description = "Long description.\n") =>
        $"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {summary}\n"
        + (requiresPython is null ? "" : $"Requires-Python: {requiresPython}\n")
        + headers
        + "\n" + description;

    /// <summary>Writes <c>{name}-{version}-py3-none-any.whl</c> into <paramref name="dir"/> and returns its path.</summary>
    public static string Wheel(
        string dir, string name, string version, string? requiresPython = null, string? filename = null, string summary = "A test package",
        string headers = "", string description = "Long description.\n")
    {
        var distName = name.Replace('-', '_');
        var path = Path.Combine(dir, filename ?? $"{distName}-{version}-py3-none-any.whl");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = path + ".tmp-build";
        using (var zip = ZipFile.Open(tmp, ZipArchiveMode.Create))
        {
            Add(zip, $"{distName}/__init__.py", $"VERSION = '{version}'\n");
            Add(zip, $"{distName}-{version}.dist-info/METADATA", Metadata(name, version, requiresPython, summary, headers, description));
            Add(zip, $"{distName}-{version}.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
            Add(zip, $"{distName}-{version}.dist-info/RECORD", "");
        }

        File.Move(tmp, path, overwrite: true);
        return path;
    }

    /// <summary>Writes <c>{name}-{version}.tar.gz</c> with a PKG-INFO.</summary>
    public static string Sdist(string dir, string name, string version, string? requiresPython = null)
    {
        var path = Path.Combine(dir, $"{name}-{version}.tar.gz");
        Directory.CreateDirectory(dir);
        var tmp = path + ".tmp-build";
        using (var file = File.Create(tmp))
        using (var gz = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gz, TarEntryFormat.Pax))
        {
            var bytes = Encoding.UTF8.GetBytes(Metadata(name, version, requiresPython));
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{name}-{version}/PKG-INFO") { DataStream = new MemoryStream(bytes) });
        }

        File.Move(tmp, path, overwrite: true);
        return path;
    }

    private static void Add(ZipArchive zip, string name, string content)
    {
        var entry = zip.CreateEntry(name);
        using var s = entry.Open();
        s.Write(Encoding.UTF8.GetBytes(content));
    }
}
