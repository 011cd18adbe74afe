// The least an ASP.NET Core server does per request, for bench/kestrel_baseline.py: one page's
// bytes, read once at start, written to every request with Kestrel's defaults. No routing, no
// ETag; gzip bytes when the request's Accept-Encoding names gzip. Where Clutch falls short of
// nginx on a page, this shows how far Kestrel itself gets on the same bytes in the same run.
//
//   KestrelBaseline PAGE_FILE GZIP_FILE PORT
using System.Net;
using Microsoft.Net.Http.Headers;

if (args.Length != 3 || !int.TryParse(args[2], out var port))
{
    await Console.Error.WriteLineAsync("usage: KestrelBaseline PAGE_FILE GZIP_FILE PORT");
    return 2;
}

var plain = await File.ReadAllBytesAsync(args[0]);
var gzip = await File.ReadAllBytesAsync(args[1]);

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseKestrel(k =>
{
    k.AddServerHeader = false;
    k.Listen(IPAddress.Loopback, port);
});

var app = builder.Build();
app.Run(async context =>
{
    var response = context.Response;
    var packed = context.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.Ordinal);
    var body = packed ? gzip : plain;
    response.ContentType = "text/html";
    response.ContentLength = body.Length;
    if (packed)
    {
        response.Headers[HeaderNames.ContentEncoding] = "gzip";
    }

    // After the headers, as Clutch writes large bodies (before them Kestrel copies the body twice).
    await response.StartAsync();
    await response.BodyWriter.WriteAsync(body);
});

await app.RunAsync();
return 0;
