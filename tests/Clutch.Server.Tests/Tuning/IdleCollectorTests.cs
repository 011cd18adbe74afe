using Clutch.Hosting;
using Clutch.Tuning;

namespace Clutch.Server.Tests.Tuning;

/// <summary>
/// The idle collection runs only when the server has gone quiet after allocating enough to be worth
/// a pause: never under load, never again and again on an idle server. The tracker is the decision
/// the background service takes every second from the runtime's own counters.
/// </summary>
public sealed class IdleCollectorTests
{
    private const long MB = 1024 * 1024;

    /// <summary>Feeds the tracker one tick per entry (MB allocated in that second); the ticks at which it collects.</summary>
    private static List<int> CollectingTicks(params double[] megabytesPerSecond)
    {
        var tracker = new IdleCollector.Tracker(0, 0);
        var total = 0L;
        var fullCollections = 0;
        var due = new List<int>();
        for (var i = 0; i < megabytesPerSecond.Length; i++)
        {
            total += (long)(megabytesPerSecond[i] * MB);
            if (tracker.Tick(total, fullCollections))
            {
                due.Add(i);
                tracker.Collected(total, ++fullCollections);
            }
        }

        return due;
    }

    [Fact]
    public void A_load_then_two_quiet_seconds_collects_once_and_an_idle_server_never_again() =>
        Assert.Equal([4], CollectingTicks(30, 30, 30, 0, 0, 0, 0, 0, 0, 0));

    [Fact]
    public void One_quiet_second_between_loads_is_not_enough() =>
        Assert.Empty(CollectingTicks(30, 30, 30, 0, 30, 30, 0, 30));

    [Fact]
    public void Too_little_allocated_since_the_last_collection_is_not_worth_a_pause()
    {
        Assert.Empty(CollectingTicks(20, 20, 20, 0, 0, 0, 0));
        Assert.Empty(CollectingTicks(63.5, 0, 0, 0));
        Assert.Equal([2], CollectingTicks(64, 0, 0, 0)); // 64 MB is enough
    }

    [Fact]
    public void Light_traffic_counts_as_quiet_and_busy_traffic_does_not()
    {
        // Under 1 MB a second (a few requests) is quiet; the load before it is what gets collected.
        Assert.Equal([2], CollectingTicks(70, 0.5, 0.5, 0.5));
        Assert.Empty(CollectingTicks(70, 1, 1, 1, 1));
    }

    [Fact]
    public void A_full_collection_the_GC_ran_itself_restarts_the_count()
    {
        var tracker = new IdleCollector.Tracker(0, 0);
        Assert.False(tracker.Tick(100 * MB, 0)); // a load
        Assert.False(tracker.Tick(100 * MB, 1)); // quiet, and the GC compacted the heap itself meanwhile
        Assert.False(tracker.Tick(100 * MB, 1)); // quiet again: nothing allocated since that collection
        Assert.False(tracker.Tick(150 * MB, 1)); // 50 MB more: not yet worth one
        Assert.False(tracker.Tick(170 * MB, 1)); // 70 MB since, busy
        Assert.False(tracker.Tick(170 * MB, 1)); // one quiet second
        Assert.True(tracker.Tick(170 * MB, 1)); // two
    }

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
