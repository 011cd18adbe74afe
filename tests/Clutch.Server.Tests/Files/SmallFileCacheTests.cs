using Clutch.Files;

namespace Clutch.Server.Tests.Files;

public class SmallFileCacheTests
{
    private static readonly DateTime Written = new(2026, 11, 24, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Bytes_are_answered_only_for_the_same_size_and_modification_time()
    {
        var cache = new SmallFileCache();
        byte[] bytes = [1, 2, 3, 4];
        cache.Add("/p/a.whl", Written, bytes);

        Assert.Same(bytes, cache.TryGet("/p/a.whl", 4, Written));
        Assert.Null(cache.TryGet("/p/a.whl", 4, Written.AddTicks(1)));
        Assert.Null(cache.TryGet("/p/a.whl", 5, Written));
        Assert.Null(cache.TryGet("/p/b.whl", 4, Written));
    }

    [Fact]
    public void A_full_cache_admits_nothing_more()
    {
        var cache = new SmallFileCache();
        var chunk = new byte[1024 * 1024];
        var count = (int)(SmallFileCache.Capacity / chunk.Length) + 5;
        for (var i = 0; i < count; i++)
        {
            cache.Add($"/p/{i}.whl", Written, chunk);
        }

        var held = Enumerable.Range(0, count).Count(i => cache.TryGet($"/p/{i}.whl", chunk.Length, Written) is not null);
        Assert.Equal((int)(SmallFileCache.Capacity / chunk.Length), held);
        Assert.False(cache.HasRoomFor(chunk.Length));
        Assert.Null(cache.TryGet($"/p/{count - 1}.whl", chunk.Length, Written));
    }
}
