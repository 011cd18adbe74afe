namespace Clutch.Storage.S3;

/// <summary>
/// Where an S3 blob store lives: <c>s3://bucket/prefix</c>, an optional S3-compatible endpoint
/// (addressed path-style), and how downloads are answered. Region and credentials come from the
/// AWS SDK's usual sources (AWS_* environment variables, ~/.aws files, instance roles).
/// </summary>
public sealed record S3BlobStoreOptions(string Bucket, string Prefix)
{
    /// <summary>An S3-compatible endpoint (MinIO, Ceph, moto …); AWS itself when null.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>Answer downloads with a presigned redirect instead of streaming through the node.</summary>
    public bool Redirect { get; init; }

    /// <summary>How long a presigned download URL works.</summary>
    public TimeSpan RedirectLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Blobs up to this size are sent in one request; larger ones as a multipart upload in parts of this size.</summary>
    public int PartSize { get; init; } = 8 * 1024 * 1024;

    public string Description => $"s3://{Bucket}/{Prefix}".TrimEnd('/');

    /// <summary>Reads <c>s3://bucket/prefix</c>; an <see cref="ArgumentException"/> naming what is wrong otherwise.</summary>
    public static S3BlobStoreOptions Parse(string url, string? endpoint = null)
    {
        const string Shape = "s3://bucket/prefix";
        if (!url.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{url}' is not an S3 location ({Shape}).");
        }

        var rest = url["s3://".Length..];
        var slash = rest.IndexOf('/');
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (bucket.Length is < 3 or > 63 || !bucket.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.'))
        {
            throw new ArgumentException($"'{bucket}' in '{url}' is not an S3 bucket name (3-63 lowercase letters, digits, '-' or '.'; {Shape}).");
        }

        if (prefix.Contains("//", StringComparison.Ordinal) || prefix.Split('/').Any(s => s is "." or ".."))
        {
            throw new ArgumentException($"the prefix of '{url}' has an empty, '.' or '..' segment.");
        }

        Uri? endpointUri = null;
        if (endpoint is not null && (!Uri.TryCreate(endpoint, UriKind.Absolute, out endpointUri) || endpointUri.Scheme is not ("http" or "https")))
        {
            throw new ArgumentException($"--s3-endpoint '{endpoint}' is not an http:// or https:// URL.");
        }

        return new S3BlobStoreOptions(bucket, prefix) { Endpoint = endpointUri };
    }
}
