using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Clutch.Server.Tests.Harness;

/// <summary>
/// Real-size distributions: many members of random (incompressible) bytes, so the file is several
/// MB, the way real wheels of pip or setuptools are, with a metadata file naming the given
/// Requires-Python. Built in memory by the test.
/// </summary>
public static class LargeDistributions
{
    private const int Members = 48;
    private const int MemberBytes = 64 * 1024;

    public static string Metadata(string name, string version, string requiresPython) =>
        $"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: A large test package\nRequires-Python: {requiresPython}\n\nLong description.\n";

    public static byte[] Wheel(string name, string version, string requiresPython)
    {
        var dist = name.Replace('-', '_');
        return Zip(dist, [
            ($"{dist}-{version}.dist-info/METADATA", Encoding.UTF8.GetBytes(Metadata(name, version, requiresPython))),
            ($"{dist}-{version}.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: clutch-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"u8.ToArray()),
            ($"{dist}-{version}.dist-info/RECORD", []),
        ]);
    }

    public static byte[] Egg(string name, string version, string requiresPython)
    {
        var dist = name.Replace('-', '_');
        var pkgInfo = Metadata(name, version, requiresPython).Replace("2.1", "1.2", StringComparison.Ordinal);
        return Zip(dist, [
            ("EGG-INFO/PKG-INFO", Encoding.UTF8.GetBytes(pkgInfo)),
            ("EGG-INFO/requires.txt", "six\n"u8.ToArray()),
        ]);
    }

    public static byte[] Sdist(string name, string version, string requiresPython)
    {
        var top = $"{name}-{version}";
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            var pkgInfo = Encoding.UTF8.GetBytes(Metadata(name, version, requiresPython));
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{top}/PKG-INFO") { DataStream = new MemoryStream(pkgInfo) });
            for (var i = 0; i < Members; i++)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{top}/src/data{i}.bin") { DataStream = new MemoryStream(Random(i)) });
            }
        }

        return buffer.ToArray();
    }

    private static byte[] Zip(string dist, (string Name, byte[] Content)[] metadata)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i < Members; i++)
            {
                Add(zip, $"{dist}/data{i}.bin", Random(i));
            }

            // Metadata last, as wheel builders write it: far from the start of the file.
            foreach (var (name, content) in metadata)
            {
                Add(zip, name, content);
            }
        }

        return buffer.ToArray();
    }

    private static byte[] Random(int seed)
    {
        var bytes = new byte[MemberBytes];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static void Add(ZipArchive zip, string name, byte[] content)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        stream.Write(content);
    }
}
