using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Clutch.Server.Tests.Mirror;

/// <summary>
/// One <see cref="StubUpstream"/> for a test class, serving upstream behaviours under path prefixes:
/// <c>/html/</c> an HTML-only index, <c>/auth/</c> one that wants Basic credentials,
/// <c>/redirect/</c> a redirect into <c>/auth/</c>, <c>/slow/</c> no answer, <c>/broken/</c> 503,
/// <c>/stall/</c> a file that stops half-way; <c>/files/</c> the one file, recording the Authorization it got.
/// </summary>
public sealed class StubUpstreamFixture : IAsyncLifetime
{
    public const string User = "mirror";
    public const string Password = "p@ss word";

    public static readonly byte[] FileBytes = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("demo file bytes\n", 10_000)));
    public static readonly string FileSha256 = Convert.ToHexStringLower(SHA256.HashData(FileBytes));

    private static readonly string ExpectedAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));

    public StubUpstream Server { get; private set; } = null!;

    /// <summary>The Accept header of the last request for a page.</summary>
    public string? LastPageAccept { get; private set; }

    /// <summary>The Authorization header of the last request for <c>/files/</c> ("" when none).</summary>
    public string? LastFileAuthorization { get; private set; }

    /// <summary>The index URL of a prefix, with credentials when given (escaped as a URL needs them).</summary>
    public Uri Index(string prefix, string? user = null, string? password = null)
    {
        var credentials = user is null ? "" : $"{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password ?? "")}@";
        return new Uri($"http://{credentials}{Server.BaseAddress.Authority}/{prefix}/simple/");
    }

    public async Task InitializeAsync() => Server = await StubUpstream.StartAsync(HandleAsync);

    public async Task DisposeAsync() => await Server.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var authorized = context.Request.Headers.Authorization.ToString() == ExpectedAuthorization;
        if (path.Contains("/simple/", StringComparison.Ordinal))
        {
            LastPageAccept = context.Request.Headers.Accept.ToString();
        }

        switch (path)
        {
            case "/html/simple/":
                await HtmlAsync(context, "<html><body><a href=\"demo/\">Demo</a><a href=\"other/\">other</a></body></html>");
                break;
            case "/auth/simple/demo/" or "/auth/files/demo-1.0.tar.gz" when !authorized:
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"stub\"";
                break;
            case "/html/simple/demo/" or "/auth/simple/demo/":
                await HtmlAsync(context, $"""
                    <!DOCTYPE html><html><head><title>Links for Demo</title></head><body>
                    <a href="../../../files/demo-1.0.tar.gz#sha256={FileSha256}" data-requires-python="&gt;=3.9">demo-1.0.tar.gz</a><br/>
                    </body></html>
                    """);
                break;
            case "/redirect/simple/demo/":
                context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
                context.Response.Headers.Location = "/auth/simple/demo/";
                break;
            case "/files/demo-1.0.tar.gz" or "/auth/files/demo-1.0.tar.gz":
                LastFileAuthorization = context.Request.Headers.Authorization.ToString();
                context.Response.ContentLength = FileBytes.Length;
                await context.Response.Body.WriteAsync(FileBytes);
                break;
            case "/stall/files/demo-1.0.tar.gz":
                context.Response.ContentLength = FileBytes.Length;
                await context.Response.Body.WriteAsync(FileBytes.AsMemory(0, 1000));
                await context.Response.Body.FlushAsync();
                await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
                break;
            case var slow when slow.StartsWith("/slow/", StringComparison.Ordinal):
                await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
                break;
            case var broken when broken.StartsWith("/broken/", StringComparison.Ordinal):
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await context.Response.WriteAsync("down for maintenance\n");
                break;
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                break;
        }
    }

    private static async Task HtmlAsync(HttpContext context, string html)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(html);
    }
}
