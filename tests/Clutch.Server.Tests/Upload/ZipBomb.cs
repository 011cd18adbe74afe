using System.IO.Compression;
using System.Text;

namespace Clutch.Server.Tests.Upload;

/// <summary>A wheel with a member that really expands to 2 GiB of zeros (a few MB compressed), built once per run.</summary>
internal static class ZipBomb
{
    private static readonly Lazy<Task<byte[]>> Bomb = new(() => Task.Run(Build));

    public static Task<byte[]> WheelAsync(string name, string version) =>
        name == "bomb" && version == "1.0" ? Bomb.Value : throw new ArgumentException("the bomb is bomb 1.0");

    private static byte[] Build()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "bomb-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: bomb\nVersion: 1.0\n");
            Add(zip, "bomb-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
            Add(zip, "bomb-1.0.dist-info/RECORD", "");
            using var member = zip.CreateEntry("bomb/zeros.bin", CompressionLevel.Optimal).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 2048; i++)
            {
                member.Write(zeros);
            }
        }

        return buffer.ToArray();
    }

    private static void Add(ZipArchive zip, string name, string text)
    {
        using var s = zip.CreateEntry(name).Open();
        s.Write(Encoding.UTF8.GetBytes(text));
    }
}
