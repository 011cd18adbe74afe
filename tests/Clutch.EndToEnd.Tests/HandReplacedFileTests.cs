using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

/// <summary>A file replaced by hand with the real <c>cp -p</c>: the listed hash follows the bytes, and no download sends bytes under a hash they do not have.</summary>
[Collection(TimingCollection.Name)]
public sealed class HandReplacedFileTests(ClutchServer server) : IClassFixture<ClutchServer>
{
    private const string Name = "e2e_swap-1.0-py3-none-any.whl";

    /// <summary>A wheel whose size does not depend on <paramref name="value"/> (stored, fixed timestamps).</summary>
    private static byte[] Wheel(char value)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string path, string text)
            {
                var entry = zip.CreateEntry(path, CompressionLevel.NoCompression);
                entry.LastWriteTime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
                using var stream = entry.Open();
                stream.Write(Encoding.UTF8.GetBytes(text));
            }

            Add("e2e_swap/__init__.py", $"VALUE = '{value}'\n");
            Add("e2e_swap-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: e2e-swap\nVersion: 1.0\n");
            Add("e2e_swap-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
            Add("e2e_swap-1.0.dist-info/RECORD", "");
        }

        return buffer.ToArray();
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private async Task<string?> ListedSha256Async()
    {
        using var page = await server.GetProjectJsonAsync("e2e-swap");
        return page?.RootElement.GetProperty("files").EnumerateArray()
            .Where(f => f.GetProperty("filename").GetString() == Name)
            .Select(f => f.GetProperty("hashes").GetProperty("sha256").GetString())
            .FirstOrDefault();
    }

    [Fact]
    public async Task A_file_replaced_with_cp_p_by_other_bytes_of_its_size_is_listed_and_served_with_its_new_hash()
    {
        var (original, changed) = (Wheel('a'), Wheel('b'));
        Assert.Equal(original.Length, changed.Length);
        var path = Path.Combine(server.PackagesDir, Name);
        await File.WriteAllBytesAsync(path, original);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-1));
        Assert.True(await server.WaitUntilAsync("e2e-swap", Name, listed: true, TimeSpan.FromSeconds(15)), server.Output);

        // The rebuilt file gets the old one's mtime, then cp -p copies bytes and mtime over it.
        var rebuilt = Path.Combine(server.ScratchDir, Name);
        await File.WriteAllBytesAsync(rebuilt, changed);
        Assert.Equal(0, await RunAsync("touch", "-r", path, rebuilt));
        Assert.Equal(0, await RunAsync("cp", "-p", rebuilt, path));
        Assert.Equal(original.Length, new FileInfo(path).Length);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await ListedSha256Async() != Sha256(changed))
        {
            using var response = await server.HttpClient.GetAsync($"{server.BaseUrl}/files/{Name}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal(response.Headers.ETag!.Tag.Trim('"'), Sha256(await response.Content.ReadAsByteArrayAsync()));
            }
            else
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            }

            Assert.True(DateTime.UtcNow < deadline, $"the listed sha256 never became the new bytes' one.\nServer output:\n{server.Output}");
            await Task.Delay(50);
        }

        Assert.Equal(changed, await server.HttpClient.GetByteArrayAsync($"{server.BaseUrl}/files/{Name}"));
    }

    private static async Task<int> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
