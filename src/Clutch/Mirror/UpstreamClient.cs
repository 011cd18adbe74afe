using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Clutch.Mirror;

/// <summary>
/// Reads another simple index (PyPI, or another Clutch): its root and project pages, in PEP 691
/// JSON or PEP 503 HTML, revalidated by ETag; and its files, verified against their sha256 while
/// they are copied. Credentials in the index URL go as Basic auth to the index's host only, and
/// no message names them. Failures to reach the upstream are <see cref="UpstreamUnavailableException"/>.
/// </summary>
/// <param name="http">Follows redirects (the default); decompression as its handler is set up.</param>
public sealed class UpstreamClient(HttpClient http, UpstreamClientOptions? options = null)
{
    /// <summary>JSON first, HTML as the fallback (PEP 691's recommended header).</summary>
    public const string AcceptHeader = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

    private const int CopyBufferSize = 81920;
    private readonly UpstreamClientOptions _options = options ?? new UpstreamClientOptions();

    /// <summary>
    /// The page of <paramref name="normalizedProject"/> at <c>{indexUrl}/{project}/</c>;
    /// <paramref name="etag"/>, when given, is sent as If-None-Match.
    /// </summary>
    /// <exception cref="UpstreamUnavailableException">Unreachable, timed out, or answered an unusable status.</exception>
    /// <exception cref="UpstreamFormatException">The page is neither PEP 691 JSON nor PEP 503 HTML.</exception>
    public Task<UpstreamResult<UpstreamProjectPage>> GetProjectAsync(Uri indexUrl, string normalizedProject, string? etag, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(normalizedProject);
        var address = UpstreamAddress.From(indexUrl);
        return GetPageAsync(
            address,
            address.ProjectPage(normalizedProject),
            etag,
            (body, json, pageUrl) => json
                ? UpstreamJsonParser.ParseProject(body, pageUrl, normalizedProject)
                : UpstreamHtmlParser.ParseProject(Encoding.UTF8.GetString(body.Span), pageUrl, normalizedProject),
            cancellationToken);
    }

    /// <summary>The root page at <c>{indexUrl}/</c>: every project the upstream lists.</summary>
    /// <exception cref="UpstreamUnavailableException">Unreachable, timed out, or answered an unusable status.</exception>
    /// <exception cref="UpstreamFormatException">The page is neither PEP 691 JSON nor PEP 503 HTML.</exception>
    public Task<UpstreamResult<UpstreamRoot>> GetRootAsync(Uri indexUrl, string? etag, CancellationToken cancellationToken)
    {
        var address = UpstreamAddress.From(indexUrl);
        return GetPageAsync(
            address,
            address.Index,
            etag,
            (body, json, pageUrl) => json
                ? UpstreamJsonParser.ParseRoot(body, pageUrl)
                : UpstreamHtmlParser.ParseRoot(Encoding.UTF8.GetString(body.Span), pageUrl),
            cancellationToken);
    }

    /// <summary>
    /// Copies the file at <paramref name="url"/> (as listed on a page of <paramref name="indexUrl"/>)
    /// into <paramref name="destination"/>, hashing it on the way, and returns the bytes written.
    /// The index's credentials go along when the file is on the index's host. The destination has
    /// been written to when this throws: the caller discards it.
    /// </summary>
    /// <exception cref="UpstreamIntegrityException">The bytes' sha256 is not <paramref name="expectedSha256"/>.</exception>
    /// <exception cref="UpstreamUnavailableException">Unreachable, stalled, or answered an error (<see cref="UpstreamUnavailableException.NotFound"/> for 404/410).</exception>
    public async Task<long> DownloadAsync(Uri indexUrl, string url, string expectedSha256, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(url);
        var expected = UpstreamPageRules.Sha256(expectedSha256)
            ?? throw new ArgumentException($"Expected sha256 '{expectedSha256}' is not 64 hex digits.", nameof(expectedSha256));
        var address = UpstreamAddress.From(indexUrl);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || UpstreamPageRules.FileUrl(parsed, "", out _) is not { } plain)
        {
            throw new ArgumentException($"File URL '{UpstreamAddress.Redact(url)}' is not an absolute http(s) URL.", nameof(url));
        }

        var fileUrl = new Uri(plain);
        var upstream = new UpstreamRequest(address, fileUrl, _options.PageTimeout);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stall.CancelAfter(_options.PageTimeout);
        using var response = await upstream.Guard(() => SendAsync(address, fileUrl, null, pageAccept: false, stall.Token), null, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw upstream.Status(response);
        }

        await using var body = await upstream.Guard(() => response.Content.ReadAsStreamAsync(stall.Token), null, cancellationToken);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        long total = 0;
        try
        {
            while (true)
            {
                // Each read must bring something within the timeout; CancelAfter restarts the clock.
                stall.CancelAfter(_options.PageTimeout);
                var read = await upstream.Guard(() => body.ReadAsync(buffer, stall.Token).AsTask(), total, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                hash.AppendData(buffer, 0, read);
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                total += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (actual != expected)
        {
            throw new UpstreamIntegrityException(
                $"{upstream.Filename} from {address.Host} has sha256 {actual} ({total} bytes), not the {expected} its index lists.", expected, actual, total);
        }

        return total;
    }

    private async Task<UpstreamResult<T>> GetPageAsync<T>(
        UpstreamAddress address, Uri pageUrl, string? etag, Func<ReadOnlyMemory<byte>, bool, Uri, T> parse, CancellationToken cancellationToken)
        where T : class
    {
        var upstream = new UpstreamRequest(address, pageUrl, _options.PageTimeout);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PageTimeout);
        using var response = await upstream.Guard(() => SendAsync(address, pageUrl, etag, pageAccept: true, timeout.Token), null, cancellationToken);
        var sentETag = response.Headers.ETag?.ToString();
        switch (response.StatusCode)
        {
            case HttpStatusCode.NotModified:
                return new UpstreamResult<T>(UpstreamStatus.NotModified, null, sentETag ?? etag);
            case HttpStatusCode.NotFound or HttpStatusCode.Gone:
                return new UpstreamResult<T>(UpstreamStatus.NotFound, null, null);
            case >= HttpStatusCode.OK and < HttpStatusCode.MultipleChoices:
                break;
            default:
                throw upstream.Status(response);
        }

        var body = await upstream.Guard(() => ReadBodyAsync(upstream, response, timeout.Token), null, cancellationToken);
        // The final URL after redirects: relative links on the page are relative to it.
        var finalUrl = response.RequestMessage?.RequestUri ?? pageUrl;
        return new UpstreamResult<T>(UpstreamStatus.Ok, parse(body, IsJson(response.Content.Headers.ContentType, body.Span), finalUrl), sentETag);
    }

    /// <summary>
    /// Sends a GET with the credentials when the URL is on the index's host. HttpClient drops the
    /// Authorization header when it follows a redirect, even within one host, so a 401 after a
    /// redirect within the index's host is asked once more at the final URL, with the credentials.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(UpstreamAddress address, Uri url, string? etag, bool pageAccept, CancellationToken cancellationToken)
    {
        var response = await http.SendAsync(Request(address, url, etag, pageAccept), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized
            && address.Authorization is not null
            && response.RequestMessage?.RequestUri is { } final
            && final != url
            && address.SameHost(final))
        {
            response.Dispose();
            response = await http.SendAsync(Request(address, final, etag, pageAccept), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }

        return response;
    }

    private static HttpRequestMessage Request(UpstreamAddress address, Uri url, string? etag, bool pageAccept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (pageAccept)
        {
            request.Headers.TryAddWithoutValidation("Accept", AcceptHeader);
        }

        if (!string.IsNullOrEmpty(etag))
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        }

        if (address.Authorization is not null && address.SameHost(url))
        {
            request.Headers.Authorization = address.Authorization;
        }

        return request;
    }

    private async Task<ReadOnlyMemory<byte>> ReadBodyAsync(UpstreamRequest upstream, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var max = _options.MaxPageBytes;
        if (response.Content.Headers.ContentLength > max)
        {
            throw upstream.TooLarge(max);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var copy = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (copy.Length + read > max)
                {
                    throw upstream.TooLarge(max);
                }

                copy.Write(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return copy.GetBuffer().AsMemory(0, (int)copy.Length);
    }

    /// <summary>JSON when the media type says so; with no usable media type, when the body starts with '{'.</summary>
    private static bool IsJson(MediaTypeHeaderValue? contentType, ReadOnlySpan<byte> body)
    {
        var mediaType = contentType?.MediaType;
        if (mediaType is not null && mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (mediaType is not null && mediaType.Contains("html", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var trimmed = body.TrimStart(" \t\r\n"u8);
        return trimmed.Length > 0 && trimmed[0] == (byte)'{';
    }
}
