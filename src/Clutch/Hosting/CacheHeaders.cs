using Microsoft.Extensions.Primitives;

namespace Clutch.Hosting;

/// <summary>
/// Cache-Control values. Pages change, so they are cached briefly; file bytes never change under a
/// key, so they are cached for a year. A private index marks both <c>private</c> so that no shared
/// cache (a proxy in front of it) hands one user's authorized answer to another.
/// </summary>
public sealed class CacheHeaders(ClutchOptions options)
{
    private readonly string _scope = options.Private ? "private" : "public";

    public StringValues Pages => new($"{_scope}, max-age={options.PageMaxAgeSeconds}");

    public StringValues Files => new($"{_scope}, max-age=31536000, immutable");
}
