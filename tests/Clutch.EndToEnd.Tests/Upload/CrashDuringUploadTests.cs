using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests.Upload;

/// <summary>kill -9 of the server in the middle of a large upload leaves nothing half-stored.</summary>
public sealed class CrashDuringUploadTests(ClutchServer server) : IClassFixture<ClutchServer>
{
    private const string Password = "crash-password-1";

    [Fact]
    public async Task Server_killed_mid_upload_leaves_no_partial_file_and_the_next_upload_succeeds()
    {
        await Accounts.AddUserAsync(server, "crash", Password);
        using var scratch = new TempDirectory("crash");
        var wheel = Path.Combine(scratch.Path, "crashpkg-1.0-py3-none-any.whl");
        WriteStoredWheel(wheel, 200L * 1024 * 1024);

        // Send slowly enough that the kill lands mid-body: the first 40 MB, then the server dies.
        var upload = Task.Run(() => PostAsync(server.UploadUrl, wheel, throttleAfter: 40L * 1024 * 1024));
        var tmp = Path.Combine(server.PackagesDir, ".clutch", "tmp");
        var clock = Stopwatch.StartNew();
        while (!(Directory.Exists(tmp) && Directory.EnumerateFiles(tmp).Any(f => new FileInfo(f).Length > 20L * 1024 * 1024)))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the upload never reached the server's temp folder");
            await Task.Delay(20);
        }

        await server.StopAsync(); // SIGKILL
        await Assert.ThrowsAnyAsync<Exception>(() => upload);
        Assert.Empty(Directory.EnumerateFiles(server.PackagesDir, "crashpkg*", SearchOption.AllDirectories));

        await server.StartAsync();
        Assert.Empty(Directory.EnumerateFiles(tmp));
        Assert.Empty(await server.ListFilesAsync("crashpkg"));
        using var response = await PostAsync(server.UploadUrl, wheel, throttleAfter: long.MaxValue);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["crashpkg-1.0-py3-none-any.whl"], await server.ListFilesAsync("crashpkg"));
        Assert.Equal(PackageFiles.Sha256(wheel), PackageFiles.Sha256(Path.Combine(server.PackagesDir, "crashpkg", "crashpkg-1.0-py3-none-any.whl")));
    }

    private static async Task<HttpResponseMessage> PostAsync(string url, string wheel, long throttleAfter)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromMinutes(5) };
        var form = new MultipartFormDataContent
        {
            { new StringContent("file_upload"), ":action" },
            { new StringContent("crashpkg"), "name" },
            { new StringContent("1.0"), "version" },
            { new StringContent("bdist_wheel"), "filetype" },
        };
        var file = new StreamContent(new SlowStream(File.OpenRead(wheel), throttleAfter), 1024 * 1024);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "content", Path.GetFileName(wheel));
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("crash:" + Password)));
        return await client.SendAsync(request);
    }

    /// <summary>A valid wheel whose one big member is stored (no compression), so inspection passes.</summary>
    private static void WriteStoredWheel(string path, long payloadBytes)
    {
        using var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create);
        void Add(string name, string text)
        {
            using var s = zip.CreateEntry(name).Open();
            s.Write(Encoding.UTF8.GetBytes(text));
        }

        Add("crashpkg-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: crashpkg\nVersion: 1.0\n");
        Add("crashpkg-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
        Add("crashpkg-1.0.dist-info/RECORD", "");
        using var big = zip.CreateEntry("crashpkg/blob.bin", System.IO.Compression.CompressionLevel.NoCompression).Open();
        var chunk = new byte[1024 * 1024];
        Random.Shared.NextBytes(chunk);
        for (long written = 0; written < payloadBytes; written += chunk.Length)
        {
            big.Write(chunk);
        }
    }

    /// <summary>Reads at full speed up to a point, then slowly, so a test can act while the body is in flight.</summary>
    private sealed class SlowStream(Stream inner, long fastBytes) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= fastBytes)
            {
                await Task.Delay(50, cancellationToken);
                buffer = buffer[..Math.Min(buffer.Length, 64 * 1024)];
            }

            var n = await inner.ReadAsync(buffer, cancellationToken);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
