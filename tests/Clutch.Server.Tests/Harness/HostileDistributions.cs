using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Clutch.Server.Tests.Harness;

/// <summary>
/// Distributions pip cannot install or that tools read differently, one per case, with the words
/// the refusal must contain. Built in memory by the test.
/// </summary>
public static class HostileDistributions
{
    public sealed record Case(string Project, string Filename, string Filetype, byte[] Bytes, string Reason);

    private static string Metadata(string name, string extra = "") =>
        $"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\nSummary: hostile\nRequires-Python: >=3.8\n{extra}\nDescription.\n";

    /// <summary>Every case by a readable name (the test's name for it).</summary>
    public static IReadOnlyDictionary<string, Func<Case>> All { get; } = new Dictionary<string, Func<Case>>
    {
        ["bad CRC-32"] = () => Wheel("bad-crc", Metadata("bad-crc"), corruptPayload: true, reason: "fails its CRC-32 check"),
        ["bad CRC-32, 3 MB"] = () => Wheel("bad-crc-big", Metadata("bad-crc-big"), corruptPayload: true, payloadBytes: 3 << 20, reason: "fails its CRC-32 check"),
        ["METADATA not UTF-8"] = () => Wheel("latin", Metadata("latin", "Author: Jos\u00e9\n"), latin1: true, reason: "METADATA is not valid UTF-8"),
        ["member 3000 levels deep"] = () => Wheel("deep", Metadata("deep"), extra: string.Join('/', Enumerable.Repeat("d", 3000)) + "/x.py", reason: "levels deep"),
        ["duplicate member"] = () => Wheel("dup", Metadata("dup"), extra: "dup/__init__.py", reason: "'dup/__init__.py' appears more than once"),
        ["Name given twice"] = () => Wheel("twice", Metadata("twice", "Name: other\n"), reason: "gives Name twice with different values"),
        ["Metadata-Version 3.0"] = () => Wheel("future", Metadata("future").Replace("2.1", "3.0", StringComparison.Ordinal), reason: "major version 3 is unknown"),
        ["sdist with a duplicate member"] = () => SdistWithDuplicate("dupsdist"),
    };

    public static Case Get(string name) => All[name]();

    private static Case Wheel(
        string project, string metadata, string reason, bool corruptPayload = false, int payloadBytes = 1024, bool latin1 = false, string? extra = null)
    {
        var dist = project.Replace('-', '_');
        var payload = new byte[payloadBytes];
        new Random(1).NextBytes(payload);
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            // Stored, so the payload's bytes can be found and damaged below, as bit rot would.
            Add(zip, $"{dist}/__init__.py", payload, CompressionLevel.NoCompression);
            Add(zip, $"{dist}-1.0.dist-info/METADATA", latin1 ? Encoding.Latin1.GetBytes(metadata) : Encoding.UTF8.GetBytes(metadata), CompressionLevel.Fastest);
            Add(zip, $"{dist}-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"u8.ToArray(), CompressionLevel.Fastest);
            Add(zip, $"{dist}-1.0.dist-info/RECORD", [], CompressionLevel.Fastest);
            if (extra is not null)
            {
                Add(zip, extra, "x = 1\n"u8.ToArray(), CompressionLevel.Fastest);
            }
        }

        var bytes = buffer.ToArray();
        if (corruptPayload)
        {
            var at = bytes.AsSpan().IndexOf(payload.AsSpan(0, 64));
            bytes[at + (payloadBytes / 2)] ^= 0x01;
        }

        return new Case(project, $"{dist}-1.0-py3-none-any.whl", "bdist_wheel", bytes, reason);
    }

    private static Case SdistWithDuplicate(string project)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            Write(tar, $"{project}-1.0/PKG-INFO", Metadata(project));
            Write(tar, $"{project}-1.0/setup.py", "print('one')\n");
            Write(tar, $"{project}-1.0/setup.py", "print('two')\n");
        }

        return new Case(project, $"{project}-1.0.tar.gz", "sdist", buffer.ToArray(), $"'{project}-1.0/setup.py' appears more than once");
    }

    private static void Write(TarWriter tar, string name, string text) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });

    private static void Add(ZipArchive zip, string name, byte[] content, CompressionLevel level)
    {
        using var stream = zip.CreateEntry(name, level).Open();
        stream.Write(content);
    }
}
