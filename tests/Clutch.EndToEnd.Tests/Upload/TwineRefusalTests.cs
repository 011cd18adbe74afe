using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests.Upload;

/// <summary>What twine shows when the index refuses an archive: the 400 and the one-line reason.</summary>
public sealed class TwineRefusalTests(ClutchServer server) : IClassFixture<ClutchServer>
{
    private const string Password = "twine-password-1";

    [RequiresPythonFact("3.11", Tools = [Twine.Executable])]
    public async Task Twine_upload_of_a_wheel_with_a_bad_crc_shows_the_400_and_its_reason_and_nothing_is_stored()
    {
        await Accounts.AddUserAsync(server, "crc-publisher", Password);
        using var dist = new TempDirectory("dist");
        var wheel = Path.Combine(dist.Path, "e2e_badcrc-1.0-py3-none-any.whl");
        await File.WriteAllBytesAsync(wheel, WheelWithACorruptMember("e2e_badcrc"));

        var result = await Twine.UploadAsync(server.UploadUrl, "crc-publisher", Password, [wheel]);

        result.AssertFailure();
        // twine wraps the reason to the terminal's width: compare with whitespace runs as one space.
        var output = Regex.Replace(result.StdOut + result.StdErr, @"\s+", " ");
        Assert.Contains("400 Bad Request", output, StringComparison.Ordinal);
        Assert.Contains("'e2e_badcrc/data.bin' fails its CRC-32 check", output, StringComparison.Ordinal);
        Assert.Empty(await server.ListFilesAsync("e2e-badcrc"));
        Assert.False(Directory.Exists(Path.Combine(server.PackagesDir, "e2e-badcrc")));
    }

    /// <summary>
    /// A well-formed wheel but for one byte of a stored member, as bit rot leaves it: twine reads
    /// METADATA (whose CRC holds) and uploads; pip would fail with "Bad CRC-32" when installing.
    /// </summary>
    private static byte[] WheelWithACorruptMember(string name)
    {
        var data = new byte[64 * 1024];
        new Random(3).NextBytes(data);
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, $"{name}/data.bin", data, CompressionLevel.NoCompression);
            Add(zip, $"{name}-1.0.dist-info/METADATA", Encoding.UTF8.GetBytes($"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"), CompressionLevel.Optimal);
            Add(zip, $"{name}-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"u8.ToArray(), CompressionLevel.Optimal);
            Add(zip, $"{name}-1.0.dist-info/RECORD", [], CompressionLevel.Optimal);
        }

        var bytes = buffer.ToArray();
        bytes[bytes.AsSpan().IndexOf(data.AsSpan(0, 64)) + 1000] ^= 0x01;
        return bytes;
    }

    private static void Add(ZipArchive zip, string name, byte[] content, CompressionLevel level)
    {
        using var stream = zip.CreateEntry(name, level).Open();
        stream.Write(content);
    }
}
