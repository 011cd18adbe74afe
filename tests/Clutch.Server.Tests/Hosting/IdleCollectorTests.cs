using Clutch.Hosting;

namespace Clutch.Server.Tests.Hosting;

/// <summary>
/// The idle collection runs only when the server has gone quiet after allocating enough to be worth
/// a pause: never under load, never again and again on an idle server.
/// </summary>
public sealed class IdleCollectorTests
{
    private const long MB = 1024 * 1024;

    [Theory]
    [InlineData(0, true)]
    [InlineData(512 * 1024, true)] // a request or two in the interval still counts as quiet
    [InlineData(1 * MB, false)] // busy: the GC's own collections take care of it
    [InlineData(30 * MB, false)]
    public void An_interval_is_quiet_when_next_to_nothing_was_allocated(long allocated, bool expected) =>
        Assert.Equal(expected, IdleCollector.IsQuiet(allocated));

    [Theory]
    [InlineData(2, 64 * MB, true)] // quiet for two intervals after a load: collect
    [InlineData(5, 500 * MB, true)]
    [InlineData(1, 500 * MB, false)] // one quiet second may be a load just resuming
    [InlineData(0, 500 * MB, false)] // busy
    [InlineData(2, 64 * MB - 1, false)] // quiet, but too little allocated since the last full collection
    [InlineData(10, 0, false)] // idle right after a collection: not again
    public void Collects_only_when_quiet_after_enough_allocation(int quietIntervals, long allocatedSinceFull, bool expected) =>
        Assert.Equal(expected, IdleCollector.ShouldCollect(quietIntervals, allocatedSinceFull));

    [Fact]
    public void A_collection_frees_the_garbage_of_gen2_and_the_large_object_heap()
    {
        var garbage = new List<byte[]>();
        for (var i = 0; i < 64; i++)
        {
            garbage.Add(new byte[128 * 1024]); // large object heap
            garbage.Add(new byte[8 * 1024]);
        }

        GC.Collect(); // promote it all to gen2
        GC.Collect();
        var withGarbage = GC.GetTotalMemory(forceFullCollection: false);
        garbage.Clear();

        var fullBefore = GC.CollectionCount(2);
        IdleCollector.Collect();

        Assert.True(GC.CollectionCount(2) > fullBefore);
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        Assert.True(info.Compacted, "the idle collection compacts");
        // Other tests run beside this one and allocate too; most of the 8.5 MB must be gone all the same.
        Assert.True(GC.GetTotalMemory(forceFullCollection: false) < withGarbage - 4 * MB,
            $"{withGarbage / MB} MB before, {GC.GetTotalMemory(false) / MB} MB after");
    }
}
