namespace Clutch.Mirror;

/// <summary>Limits of <see cref="UpstreamClient"/>.</summary>
public sealed class UpstreamClientOptions
{
    /// <summary>
    /// How long a page request may take, whole; and how long a download may wait for its response
    /// headers or for any one read of its body (a slow but moving download is not cut).
    /// </summary>
    public TimeSpan PageTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest page body read; a larger one is refused as unusable (a hostile or broken upstream).</summary>
    public long MaxPageBytes { get; init; } = 64L * 1024 * 1024;
}
