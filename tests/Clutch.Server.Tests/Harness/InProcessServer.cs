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
    private readonly WebApplication _app;

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
        if (TestStores.ScaleOut)
        {
            await TestStores.UseScaleOutAsync(options, seeded: seed is not null);
        }

        var app = ClutchHost.Build(options);
        var address = await ClutchHost.StartAsync(app, CancellationToken.None);
        var server = new InProcessServer(app, root, new Uri(address));
        await server.WaitUntilReadyAsync();
        return server;
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
