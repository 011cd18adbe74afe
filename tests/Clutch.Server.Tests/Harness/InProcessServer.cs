using System.IO.Compression;
using System.Net;
using Clutch.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Clutch.Server.Tests.Harness;

/// <summary>
/// A real Kestrel server on a free loopback port, in this process, over a temp folder; or, when the
/// run asks for the scale-out stores (<see cref="TestStores"/>), over a fresh PostgreSQL database and
/// a fresh S3 bucket, seeded from the same folder through <c>clutch migrate</c>'s code.
/// </summary>
public sealed class InProcessServer : IAsyncDisposable
{
    /// <summary>The administrator <see cref="AddWheelAsync"/> uploads as, added on first use.</summary>
    private const string Uploader = "harness-uploader";
    private readonly WebApplication _app;
    private int _uploaderAdded;

    private InProcessServer(WebApplication app, string root, Uri baseAddress)
    {
        _app = app;
        Root = root;
        BaseAddress = baseAddress;
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public string Root { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server; <paramref name="seed"/> fills the folder first (a warm or cold start).</summary>
    public static async Task<InProcessServer> StartAsync(Action<string>? seed = null, Action<ClutchOptions>? configure = null, string? root = null)
    {
        root ??= Path.Combine(Path.GetTempPath(), "clutch-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        if (seed is not null)
        {
            seed(root);
            // Seeded files stand for a folder that existed before the server: old, settled files.
            // (A file modified in the last moments is deferred by the indexer as possibly half-written.)
            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(-1));
            }
        }
        var options = new ClutchOptions { Root = root, Port = 0, ReconcileSeconds = 60 };
        configure?.Invoke(options);
        // A test that chose its own stores keeps them.
        if (TestStores.ScaleOut && options.Catalog is null && options.Blobs is null)
        {
            await TestStores.UseScaleOutAsync(options, seeded: seed is not null);
        }

        return await LaunchAsync(options);
    }

    /// <summary>Stops this server and starts another on the same stores (a process restart); this one is not to be used after.</summary>
    public async Task<InProcessServer> RestartAsync()
    {
        var options = Services.GetRequiredService<ClutchOptions>();
        Client.Dispose();
        await StopAsync();
        return await LaunchAsync(options);
    }

    private static async Task<InProcessServer> LaunchAsync(ClutchOptions options)
    {
        var app = ClutchHost.Build(options);
        var address = await ClutchHost.StartAsync(app, CancellationToken.None);
        var server = new InProcessServer(app, options.Root, new Uri(address));
        await server.WaitUntilReadyAsync();
        return server;
    }

    /// <summary>The server's stores are a folder (not PostgreSQL and S3): files dropped into <see cref="Root"/> get listed.</summary>
    public bool ServesFolder => Services.GetRequiredService<ClutchOptions>().BlobsInFolder;

    /// <summary>The bytes the server's blob store holds under <paramref name="key"/> (a folder path or an S3 object), or null.</summary>
    public async Task<byte[]?> ReadStoredAsync(string key)
    {
        try
        {
            await using var stream = await Services.GetRequiredService<Clutch.Storage.IBlobStore>().OpenReadAsync(key, CancellationToken.None);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            return copy.ToArray();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Adds a wheel the way this server's stores take new files from outside: dropped into the
    /// folder (<paramref name="folder"/>, relative) for the folder indexer, or uploaded through the
    /// API by an administrator where the blobs are in S3. Returns the wheel's filename.
    /// </summary>
    public async Task<string> AddWheelAsync(string folder, string name, string version)
    {
        if (ServesFolder)
        {
            return Path.GetFileName(TestDistributions.Wheel(Path.Combine(Root, folder), name, version));
        }

        if (Interlocked.Exchange(ref _uploaderAdded, 1) == 0)
        {
            await this.AddUserAsync(Uploader, admin: true);
        }

        var filename = $"{name.Replace('-', '_')}-{version}-py3-none-any.whl";
        using var response = await this.UploadAsync(UploadHarness.Form(UploadHarness.WheelBytes(name, version), filename, name, version), Uploader);
        Assert.True(response.IsSuccessStatusCode, $"uploading {filename}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return filename;
    }

    /// <summary>Polls readiness (first index pass done).</summary>
    public async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var r = await Client.GetAsync("/health/ready");
            if (r.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("server did not become ready in 30 s");
    }

    /// <summary>
    /// A page's bytes as a client decodes them: asks for gzip or not (and the given Accept), checks
    /// the status is 200, the body is as long as Content-Length says and gzip-encoded exactly when
    /// asked, and returns it inflated.
    /// </summary>
    public async Task<byte[]> GetPageBytesAsync(string path, bool gzip, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (gzip)
        {
            request.Headers.AcceptEncoding.ParseAdd("gzip");
        }

        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        Assert.Equal(gzip, response.Content.Headers.ContentEncoding.Contains("gzip"));
        if (!gzip)
        {
            return body;
        }

        using var gz = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        await gz.CopyToAsync(plain);
        return plain.ToArray();
    }

    /// <summary>Polls a project page until <paramref name="predicate"/> holds on its HTML (or times out).</summary>
    public async Task<bool> WaitForPageAsync(string path, Func<string, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        do
        {
            using var r = await Client.GetAsync(path);
            var body = await r.Content.ReadAsStringAsync();
            if (predicate(r.IsSuccessStatusCode ? body : ""))
            {
                return true;
            }

            await Task.Delay(25);
        }
        while (DateTime.UtcNow < deadline);
        return false;
    }

    public async Task StopAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A watcher may still hold a handle for a moment; the temp folder is harmless.
        }
    }
}
