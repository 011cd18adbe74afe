using System.Net.Sockets;
using System.Text;

namespace Clutch.Tests.Shared;

/// <summary>An answer as read off the socket: status, headers (names lower case) and body text.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;

    public string? MediaType => Header("content-type")?.Split(';')[0].Trim();
}

/// <summary>
/// One HTTP/1.0 request sent byte for byte as written: HttpClient's <see cref="Uri"/> would resolve
/// dot segments, turn '\' into '/' and re-escape, so hostile paths never reach the server as meant.
/// (HTTP/1.0: the body ends when the connection closes, no chunked framing to undo.)
/// </summary>
public static class RawHttp
{
    public static Task<RawResponse> SendAsync(Uri server, string method, string target, params (string Name, string Value)[] headers) =>
        SendAsync(server, method, target, headers, body: null);

    /// <summary>Sends <paramref name="body"/> (with its Content-Length) after the headers; POST, PUT and PATCH without one send an empty body.</summary>
    public static async Task<RawResponse> SendAsync(Uri server, string method, string target, IEnumerable<(string Name, string Value)> headers, byte[]? body)
    {
        using var tcp = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await tcp.ConnectAsync(server.Host, server.Port, timeout.Token);
        var stream = tcp.GetStream();
        var request = new StringBuilder($"{method} {target} HTTP/1.0\r\nHost: {server.Authority}\r\n");
        foreach (var (name, value) in headers)
        {
            request.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        if (body is not null || method is "POST" or "PUT" or "PATCH")
        {
            request.Append("Content-Length: ").Append(body?.Length ?? 0).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.Latin1.GetBytes(request.Append("\r\n").ToString()), timeout.Token);
        if (body is not null)
        {
            await stream.WriteAsync(body, timeout.Token);
        }

        using var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token);
        var text = Encoding.UTF8.GetString(received.ToArray());
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = (end < 0 ? text : text[..end]).Split("\r\n");
        var status = head[0].Split(' ') is [_, var code, ..] && int.TryParse(code, out var parsed)
            ? parsed
            : throw new InvalidDataException($"{method} {target}: no status line in '{head[0]}'");
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0)
            {
                fields[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
            }
        }

        return new RawResponse(status, fields, end < 0 ? "" : text[(end + 4)..]);
    }
}
