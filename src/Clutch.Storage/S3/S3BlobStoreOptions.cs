namespace Clutch.Storage.S3;

/// <summary>
/// Where an S3 blob store lives and how it answers downloads. Region and credentials are not here:
/// the AWS SDK finds them as it always does (AWS_* environment variables, ~/.aws files, instance roles).
/// </summary>
public sealed record S3BlobStoreOptions
{
    /// <summary>The smallest part S3 accepts in a multipart upload (all parts but the last).</summary>
    public const int MinimumPartSize = 5 * 1024 * 1024;

    /// <summary>The bucket name.</summary>
    public required string Bucket { get; init; }

    /// <summary>Prepended to every key: empty, or a '/'-separated path ending in '/'.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>An S3-compatible endpoint (MinIO, Ceph, moto …); AWS itself when null.</summary>
    public Uri? ServiceUrl { get; init; }

    /// <summary>Path-style addressing (<c>endpoint/bucket/key</c>); by default on exactly when <see cref="ServiceUrl"/> is given.</summary>
    public bool? ForcePathStyle { get; init; }

    /// <summary>Answer downloads with a presigned redirect to S3 instead of streaming them through the node.</summary>
    public bool RedirectDownloads { get; init; }

    /// <summary>How long a presigned download URL stays valid.</summary>
    public TimeSpan RedirectLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Content up to this size (when its length is known) is sent with one PUT; larger content as a multipart upload.</summary>
    public long MultipartThreshold { get; init; } = 16 * 1024 * 1024;

    /// <summary>The size of one multipart part, and of each of the two buffers an upload holds in memory.</summary>
    public int PartSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>How long <see cref="S3BlobStore.CheckAsync"/> waits for S3 before calling it unreachable.</summary>
    public TimeSpan CheckTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether requests address the bucket in the path rather than in the host name.</summary>
    public bool PathStyle => ForcePathStyle ?? ServiceUrl is not null;

    /// <summary>The store as a URL, <c>s3://bucket/prefix/</c>.</summary>
    public string Url => "s3://" + Bucket + "/" + Prefix;

    /// <summary>
    /// Options for the store at <paramref name="url"/> (<c>s3://bucket</c> or <c>s3://bucket/some/prefix</c>),
    /// on <paramref name="serviceUrl"/> (an http(s) URL of an S3-compatible endpoint) or AWS when null.
    /// Throws <see cref="ArgumentException"/> naming what is wrong.
    /// </summary>
    public static S3BlobStoreOptions Parse(string url, string? serviceUrl = null)
    {
        var (bucket, prefix) = ParseUrl(url);
        return new S3BlobStoreOptions { Bucket = bucket, Prefix = prefix, ServiceUrl = serviceUrl is null ? null : ParseServiceUrl(serviceUrl) };
    }

    /// <summary>The bucket and key prefix ("" or ending in '/') of an <c>s3://bucket/prefix</c> URL.</summary>
    public static (string Bucket, string Prefix) ParseUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        const string scheme = "s3://";
        if (!url.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Invalid S3 URL '{url}': expected s3://bucket or s3://bucket/prefix.", nameof(url));
        }

        var rest = url[scheme.Length..];
        if (rest.IndexOfAny(['?', '#', '\\', '\0']) >= 0 || rest.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"Invalid S3 URL '{url}': no query, fragment, backslash or whitespace allowed.", nameof(url));
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        if (BucketProblem(bucket) is { } problem)
        {
            throw new ArgumentException($"Invalid S3 URL '{url}': bucket name '{bucket}' {problem}.", nameof(url));
        }

        var path = slash < 0 ? "" : rest[(slash + 1)..].TrimEnd('/');
        if (path.Length == 0)
        {
            return (bucket, "");
        }

        if (path.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            throw new ArgumentException($"Invalid S3 URL '{url}': the prefix '{path}' has an empty, '.' or '..' segment.", nameof(url));
        }

        return (bucket, path + "/");
    }

    /// <summary>An absolute http or https endpoint URL.</summary>
    public static Uri ParseServiceUrl(string serviceUrl)
    {
        ArgumentNullException.ThrowIfNull(serviceUrl);
        if (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            throw new ArgumentException($"Invalid S3 endpoint '{serviceUrl}': expected an http:// or https:// URL such as http://127.0.0.1:9000.", nameof(serviceUrl));
        }

        return uri;
    }

    // The S3 rules for new bucket names: 3–63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit.
    private static string? BucketProblem(string bucket)
    {
        if (bucket.Length is < 3 or > 63)
        {
            return "must be 3 to 63 characters long";
        }

        if (!bucket.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-'))
        {
            return "may hold only lowercase letters, digits, '.' and '-'";
        }

        if (!char.IsAsciiLetterOrDigit(bucket[0]) || !char.IsAsciiLetterOrDigit(bucket[^1]))
        {
            return "must start and end with a letter or digit";
        }

        return bucket.Contains("..", StringComparison.Ordinal) ? "may not contain '..'" : null;
    }
}
