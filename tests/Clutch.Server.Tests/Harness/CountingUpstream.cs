using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Clutch.Server.Tests.Harness;

/// <summary>
/// A small simple index on a loopback port that counts what it is asked: for the mirror's request
/// economy (one fetch for fifty clients, revalidation by ETag), which a Clutch upstream cannot report.
/// It serves PEP 691 JSON project pages with an ETag (304 on If-None-Match) and files, each after
/// <see cref="FileDelay"/>. The pages and files are what the test puts in <see cref="Add"/>.
/// </summary>
public sealed class CountingUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (byte[] Bytes, string Project)> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);

    private CountingUpstream(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>The simple index URL to mirror.</summary>
    public string SimpleUrl => new Uri(Address, "/simple/").AbsoluteUri;

    public TimeSpan FileDelay { get; set; }

    public TimeSpan PageDelay { get; set; }

    /// <summary>How many requests reached <paramref name="path"/>, and how many of those were answered 304.</summary>
    public int Requests(string path) => _requests.GetValueOrDefault(path);

    public int NotModified(string path) => _requests.GetValueOrDefault("304 " + path);

    public void Add(string project, string filename, byte[] bytes) => _files[filename] = (bytes, project);

    public static async Task<CountingUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        CountingUpstream? self = null;
        app.Run(context => self!.AnswerAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new CountingUpstream(app, new Uri(address));
        return self;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task AnswerAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!;
        _requests.AddOrUpdate(path, 1, (_, n) => n + 1);
        if (path.StartsWith("/files/", StringComparison.Ordinal) && _files.TryGetValue(path["/files/".Length..], out var file))
        {
            await Task.Delay(FileDelay);
            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(file.Bytes);
            return;
        }

        if (path.StartsWith("/simple/", StringComparison.Ordinal) && path.EndsWith('/') && path.Length > "/simple/".Length)
        {
            await Task.Delay(PageDelay);
            var project = path["/simple/".Length..^1];
            var files = _files.Where(f => f.Value.Project == project).OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
            if (files.Count > 0)
            {
                var body = new StringBuilder("{\"meta\": {\"api-version\": \"1.1\"}, \"name\": \"" + project + "\", \"files\": [");
                body.AppendJoin(", ", files.Select(f => $"{{\"filename\": \"{f.Key}\", \"url\": \"../../files/{f.Key}\", \"hashes\": {{\"sha256\": \"{Convert.ToHexStringLower(SHA256.HashData(f.Value.Bytes))}\"}}, \"size\": {f.Value.Bytes.Length}}}"));
                body.Append("], \"versions\": []}");
                var bytes = Encoding.UTF8.GetBytes(body.ToString());
                var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"";
                context.Response.Headers.ETag = etag;
                if (context.Request.Headers.IfNoneMatch == etag)
                {
                    _requests.AddOrUpdate("304 " + path, 1, (_, n) => n + 1);
                    context.Response.StatusCode = StatusCodes.Status304NotModified;
                    return;
                }

                context.Response.ContentType = "application/vnd.pypi.simple.v1+json";
                await context.Response.Body.WriteAsync(bytes);
                return;
            }
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
    }
}
