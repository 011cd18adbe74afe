using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Clutch.Mirror;

/// <summary>
/// One request to an upstream, for its failures: turns what HttpClient throws or answers into an
/// <see cref="UpstreamUnavailableException"/> whose one-line message names the upstream's host
/// (never its credentials), the request and why.
/// </summary>
internal sealed class UpstreamRequest(UpstreamAddress address, Uri url, TimeSpan timeout)
{
    private readonly string _what = "GET " + url.PathAndQuery;

    /// <summary>The last segment of the URL's path, for messages about a file.</summary>
    public string Filename => Uri.UnescapeDataString(url.AbsolutePath[(url.AbsolutePath.LastIndexOf('/') + 1)..]);

    /// <summary>
    /// Runs one step of the request. A cancellation the caller did not ask for is the timeout;
    /// HttpClient's and the connection's exceptions become <see cref="UpstreamUnavailableException"/>.
    /// <paramref name="received"/> is how much of a body had arrived, for the message.
    /// </summary>
    public async Task<T> Guard<T>(Func<Task<T>> step, long? received, CancellationToken callerToken)
    {
        try
        {
            return await step();
        }
        catch (OperationCanceledException e) when (!callerToken.IsCancellationRequested)
        {
            var seconds = timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            var message = received is { } bytes
                ? $"Upstream {address.Host} sent nothing for {seconds} s after {bytes} bytes of {_what}."
                : $"Upstream {address.Host} did not answer {_what} within {seconds} s.";
            throw new UpstreamUnavailableException(message, address.Host, timedOut: true, innerException: e);
        }
        catch (HttpRequestException e)
        {
            throw new UpstreamUnavailableException($"Upstream {address.Host} is unreachable: {Why(e)} ({_what}).", address.Host, innerException: e);
        }
        catch (IOException e)
        {
            var after = received is { } bytes ? $" after {bytes} bytes" : "";
            throw new UpstreamUnavailableException($"Upstream {address.Host} broke off {_what}{after}: {OneLine(e.Message)}", address.Host, innerException: e);
        }
    }

    /// <summary>An answer that is neither the page nor a status the caller handles.</summary>
    public UpstreamUnavailableException Status(HttpResponseMessage response)
    {
        var code = (int)response.StatusCode;
        var reason = string.IsNullOrWhiteSpace(response.ReasonPhrase) ? "" : " " + OneLine(response.ReasonPhrase);
        return new UpstreamUnavailableException($"Upstream {address.Host} answered {code}{reason} to {_what}.", address.Host, response.StatusCode);
    }

    public UpstreamUnavailableException TooLarge(long max) =>
        new($"Upstream {address.Host} answered {_what} with a page over {max} bytes; refused.", address.Host, HttpStatusCode.OK);

    private static string Why(HttpRequestException e) => e.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => "its name does not resolve",
        HttpRequestError.ConnectionError when Socket(e) is { } code => code switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.TimedOut => "connection timed out",
            SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
            _ => "connection failed (" + code + ")",
        },
        HttpRequestError.ConnectionError => "connection failed",
        HttpRequestError.SecureConnectionError => "TLS handshake failed",
        HttpRequestError.ResponseEnded => "it closed the connection before answering",
        HttpRequestError.InvalidResponse => "its answer is not valid HTTP",
        _ => OneLine(e.Message),
    };

    private static SocketError? Socket(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException s)
            {
                return s.SocketErrorCode;
            }
        }

        return null;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
