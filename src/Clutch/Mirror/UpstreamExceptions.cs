using System.Net;

namespace Clutch.Mirror;

/// <summary>
/// The upstream could not be asked: connection refused, name not resolved, TLS failure, a timeout,
/// a 5xx or another unusable status, or the connection lost mid-body. The message is one line,
/// names the upstream without credentials and says why.
/// </summary>
public sealed class UpstreamUnavailableException : Exception
{
    public UpstreamUnavailableException(string message, string host, HttpStatusCode? statusCode = null, bool timedOut = false, Exception? innerException = null)
        : base(message, innerException)
    {
        Host = host;
        StatusCode = statusCode;
        TimedOut = timedOut;
    }

    /// <summary>The upstream's scheme, host and port, without credentials (<c>https://pypi.org</c>).</summary>
    public string Host { get; }

    /// <summary>The HTTP status the upstream answered, or null when it answered nothing usable.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>True when the upstream did not answer within the timeout.</summary>
    public bool TimedOut { get; }

    /// <summary>True when the upstream answered that the file or page does not exist (404 or 410).</summary>
    public bool NotFound => StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone;
}

/// <summary>A downloaded file's bytes do not have the sha256 the upstream's page promised.</summary>
public sealed class UpstreamIntegrityException(string message, string expectedSha256, string actualSha256, long bytes) : Exception(message)
{
    /// <summary>The sha256 the page listed, lower-case hex.</summary>
    public string ExpectedSha256 { get; } = expectedSha256;

    /// <summary>The sha256 of the bytes received, lower-case hex.</summary>
    public string ActualSha256 { get; } = actualSha256;

    /// <summary>How many bytes were received (and written to the destination).</summary>
    public long Bytes { get; } = bytes;
}

/// <summary>An upstream page that cannot be read as PEP 691 JSON or PEP 503 HTML (or declares an API version this client does not know).</summary>
public sealed class UpstreamFormatException(string message, Exception? innerException = null) : Exception(message, innerException);
