using System.Buffers;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using Clutch.Pages;

namespace Clutch.Server.Tests.Pages;

/// <summary>A page's plain bytes as a plain request gets them (<see cref="RenderedPage.TryGetPlain"/>), copied for the test.</summary>
internal static class PlainBytes
{
    public static byte[] Of(RenderedPage page)
    {
        if (!page.TryGetPlain(out var plain, out var rented))
        {
            using var gz = new GZipStream(new MemoryStream(page.CopyGzip()), CompressionMode.Decompress);
            using var streamed = new MemoryStream();
            gz.CopyTo(streamed);
            return streamed.ToArray();
        }

        var copy = plain.ToArray();
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return copy;
    }
}

public class MemoryBudgetTests
{
    private static byte[] Page(int i, int size)
    {
        var sb = new StringBuilder();
        while (sb.Length < size)
        {
            sb.Append("<a href=\"p").Append(i).Append('-').Append(sb.Length).Append("\">file</a>\n");
        }

        return Encoding.UTF8.GetBytes(sb.ToString(0, size));
    }

    [Fact]
    public void Plain_bytes_held_stay_within_the_budget_and_evicted_pages_restore_the_same_bytes()
    {
        var budget = new MemoryBudget(64 * 1024);
        var bodies = Enumerable.Range(0, 40).Select(i => Page(i, 8 * 1024)).ToArray();
        var pages = bodies.Select(b => new RenderedPage(b, budget)).ToArray();

        Assert.True(budget.Bytes <= budget.Capacity, $"{budget.Bytes} bytes held, budget {budget.Capacity}");
        Assert.Equal(budget.Bytes, pages.Where(p => p.HoldsBytes).Sum(p => (long)p.Length));
        Assert.Contains(pages, p => !p.HoldsBytes);

        for (var i = 0; i < pages.Length; i++)
        {
            Assert.Equal(bodies[i], PlainBytes.Of(pages[i]));
            Assert.Equal(bodies[i].Length, pages[i].Length);
            Assert.True(budget.Bytes <= budget.Capacity);
        }

        // The gzip bytes are always there and decode to the plain bytes.
        using var gz = new GZipStream(new MemoryStream(pages[0].CopyGzip()), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gz.CopyTo(plain);
        Assert.Equal(bodies[0], plain.ToArray());
    }

    [Fact]
    public void A_page_read_since_the_last_pass_gets_a_second_chance()
    {
        var budget = new MemoryBudget(4 * 8 * 1024);
        var hot = new RenderedPage(Page(0, 8 * 1024), budget);
        for (var i = 1; i < 20; i++)
        {
            _ = PlainBytes.Of(hot); // read between every admission, as a popular page is
            _ = new RenderedPage(Page(i, 8 * 1024), budget);
        }

        Assert.True(hot.HoldsBytes);
        Assert.True(budget.Bytes <= budget.Capacity);
    }

    [Fact]
    public void Etags_differ_between_pages_and_encodings_and_survive_eviction()
    {
        var budget = new MemoryBudget(1);
        var a = new RenderedPage(Page(1, 4096), budget);
        var b = new RenderedPage(Page(2, 4096), budget);
        Assert.NotEqual(a.ETag, b.ETag);
        Assert.NotEqual(a.ETag, a.GzipETag);
        var before = a.ETag;
        _ = PlainBytes.Of(a);
        Assert.Equal(before, a.ETag);
    }

    [Fact]
    public void Without_a_budget_the_plain_bytes_are_kept()
    {
        var body = Page(3, 10_000);
        var page = new RenderedPage(body);
        Assert.True(page.HoldsBytes);
        Assert.True(page.TryGetPlain(out var plain, out var rented));
        Assert.Null(rented);
        Assert.True(MemoryMarshal.TryGetArray(plain, out var held));
        Assert.Same(body, held.Array);
    }
}

public class MemoryBudgetAdmissionTests
{
    private static byte[] Body(int i) => Enumerable.Range(0, 8 * 1024).Select(b => (byte)(b * 31 + i)).ToArray();

    [Fact]
    public void A_working_set_slightly_larger_than_the_budget_keeps_most_of_it_held()
    {
        // Plain CLOCK (or LRU) serves no request from memory here: twelve pages read in a cycle
        // through room for ten, each miss evicting the page asked for next.
        var budget = new MemoryBudget(10 * 8 * 1024);
        var pages = Enumerable.Range(0, 12).Select(i => new RenderedPage(Body(i), budget)).ToArray();
        int hits = 0, reads = 0;
        for (var round = 0; round < 20; round++)
        {
            foreach (var page in pages)
            {
                var held = page.HoldsBytes;
                _ = PlainBytes.Of(page);
                if (round >= 5)
                {
                    reads++;
                    hits += held ? 1 : 0;
                }
            }

            Assert.True(budget.Bytes <= budget.Capacity, $"{budget.Bytes} bytes held, budget {budget.Capacity}");
        }

        Assert.True(hits >= reads * 3 / 4, $"{hits} of {reads} reads served from held bytes");
    }

    [Fact]
    public void A_scan_of_pages_read_once_does_not_evict_pages_read_often()
    {
        var budget = new MemoryBudget(4 * 8 * 1024);
        var hot = Enumerable.Range(0, 4).Select(i => new RenderedPage(Body(i), budget)).ToArray();
        for (var i = 0; i < 3; i++)
        {
            foreach (var page in hot)
            {
                _ = PlainBytes.Of(page);
            }
        }

        var scanned = Enumerable.Range(100, 50).Select(i => new RenderedPage(Body(i), budget)).ToArray();
        foreach (var page in scanned)
        {
            Assert.Equal(Body(Array.IndexOf(scanned, page) + 100), PlainBytes.Of(page));
        }

        Assert.All(hot, page => Assert.True(page.HoldsBytes));
        Assert.True(budget.Bytes <= budget.Capacity);
    }

    [Fact]
    public void A_page_asked_for_more_often_than_the_victim_is_admitted()
    {
        var budget = new MemoryBudget(2 * 8 * 1024);
        var a = new RenderedPage(Body(1), budget);
        var b = new RenderedPage(Body(2), budget);
        var c = new RenderedPage(Body(3), budget);
        Assert.False(c.HoldsBytes); // a tie with the victim keeps what is held

        for (var i = 0; i < 4; i++)
        {
            _ = PlainBytes.Of(c); // c becomes the most asked-for page
        }

        Assert.True(c.HoldsBytes);
        Assert.Equal(1, new[] { a, b }.Count(p => p.HoldsBytes));
        Assert.True(budget.Bytes <= budget.Capacity);
    }

    [Fact]
    public void Once_full_the_budget_replaces_at_most_a_sixty_fourth_of_itself_per_second()
    {
        const int pages = 2 * MemoryBudget.TurnoverDivisor; // 2 pages' worth of turnover per second
        long now = 0;
        var budget = new MemoryBudget(pages * 8 * 1024, () => now);
        var old = Enumerable.Range(0, pages).Select(i => new RenderedPage(Body(i), budget)).ToArray();
        Assert.All(old, page => Assert.True(page.HoldsBytes)); // filling up is not limited

        // Newcomers asked for far more often than anything held: each one wins the frequency test.
        var hot = Enumerable.Range(1000, pages).Select(i => new RenderedPage(Body(i), budget)).ToArray();
        void Pass()
        {
            for (var n = 0; n < hot.Length; n++)
            {
                for (var i = 0; i < 3; i++)
                {
                    Assert.Equal(Body(n + 1000), PlainBytes.Of(hot[n]));
                }
            }
        }

        Pass();
        Assert.Equal(2, hot.Count(p => p.HoldsBytes));
        Pass();
        Assert.Equal(2, hot.Count(p => p.HoldsBytes)); // no time passed, no more turnover

        now += 1000;
        Pass();
        Assert.Equal(4, hot.Count(p => p.HoldsBytes));

        now += 60_000; // an idle minute does not bank more than one second's turnover
        Pass();
        Assert.Equal(6, hot.Count(p => p.HoldsBytes));

        for (var second = 0; second < MemoryBudget.TurnoverDivisor; second++)
        {
            now += 1000;
            Pass();
        }

        Assert.All(hot, page => Assert.True(page.HoldsBytes)); // a real shift in demand takes over in about a minute
        Assert.True(budget.Bytes <= budget.Capacity, $"{budget.Bytes} bytes held, budget {budget.Capacity}");
    }

    [Fact]
    public void A_small_budget_asked_every_millisecond_still_earns_turnover()
    {
        // 7 pages: 896 bytes of turnover a second, under one byte a millisecond.
        const int pages = 7;
        long now = 0;
        var budget = new MemoryBudget(pages * 8 * 1024, () => now);
        _ = Enumerable.Range(0, pages).Select(i => new RenderedPage(Body(i), budget)).ToArray();
        var hot = Enumerable.Range(100, 2).Select(i => new RenderedPage(Body(i), budget)).ToArray();
        void Ask()
        {
            foreach (var page in hot)
            {
                _ = PlainBytes.Of(page);
                _ = PlainBytes.Of(page);
            }
        }

        Ask();
        Assert.Equal(1, hot.Count(p => p.HoldsBytes)); // the starting allowance, then a page's worth of debt

        for (var ms = 0; ms < 10_000; ms++) // 10 s: 8,960 bytes earned, the debt was 7,296
        {
            now++;
            Ask();
        }

        Assert.All(hot, page => Assert.True(page.HoldsBytes));
    }

    [Fact]
    public void Held_copies_start_in_gen2_where_the_GC_never_copies_them()
    {
        var budget = new MemoryBudget(1024 * 1024);
        var page = new RenderedPage(Body(1), budget); // admitted as it is rendered
        Assert.True(page.TryGetPlain(out var plain, out var rented));
        Assert.Null(rented);
        Assert.True(MemoryMarshal.TryGetArray(plain, out var held));
        Assert.Equal(2, GC.GetGeneration(held.Array!)); // a fresh ordinary array is gen0

        var file = new Clutch.Files.FileDownload(new Clutch.Storage.CatalogFile
        {
            Path = "demo/demo-1.0.tar.gz",
            Filename = "demo-1.0.tar.gz",
            Project = Clutch.Packaging.ProjectName.Normalize("demo"),
            Version = "1.0",
            Type = Clutch.Packaging.DistributionType.Sdist,
            Sha256 = new string('a', 64),
            Md5 = new string('b', 32),
            Blake2b256 = new string('c', 64),
            Size = 5000,
            UploadTime = DateTimeOffset.UnixEpoch,
        });
        var read = Body(2);
        var kept = file.TryKeep(read, "\"etag\"", "Thu, 01 Jan 1970 00:00:00 GMT", budget);
        Assert.NotNull(kept);
        Assert.Equal(read.AsSpan(0, 5000).ToArray(), kept.Bytes);
        Assert.Equal(2, GC.GetGeneration(kept.Bytes));
    }

    [Fact]
    public void A_plain_answer_of_a_page_not_admitted_comes_from_a_pooled_buffer_and_is_not_kept()
    {
        long now = 0;
        var budget = new MemoryBudget(8 * 1024, () => now); // room for one page
        var held = new RenderedPage(Body(1), budget);
        var other = new RenderedPage(Body(2), budget); // a tie with the held page: not admitted
        Assert.True(held.HoldsBytes);
        Assert.False(other.HoldsBytes);

        Assert.True(held.TryGetPlain(out var fromHeld, out var none));
        Assert.Null(none);
        Assert.Equal(Body(1), fromHeld.ToArray());

        Assert.True(other.TryGetPlain(out var plain, out var rented));
        Assert.NotNull(rented);
        Assert.Equal(Body(2), plain.ToArray());
        Assert.False(other.HoldsBytes);
        ArrayPool<byte>.Shared.Return(rented);

        // Asked for more often than the held page, it is admitted: a kept copy, nothing rented.
        for (var i = 0; i < 3; i++)
        {
            Assert.True(other.TryGetPlain(out _, out var again));
            if (again is not null)
            {
                ArrayPool<byte>.Shared.Return(again);
            }
        }

        Assert.True(other.HoldsBytes);
        Assert.False(held.HoldsBytes);
        Assert.True(other.TryGetPlain(out var kept, out var nothing));
        Assert.Null(nothing);
        Assert.Equal(Body(2), kept.ToArray());
    }

    [Fact]
    public void A_large_page_not_admitted_is_left_to_stream_and_one_admitted_is_kept_whole()
    {
        long now = 0;
        var size = RenderedPage.MaxRentedLength + 1000;
        var large = Enumerable.Range(0, size).Select(b => (byte)(b * 7)).ToArray();
        var budget = new MemoryBudget(size, () => now); // room for one large page
        var held = new RenderedPage(large, budget);
        var other = new RenderedPage(large.Reverse().ToArray(), budget);
        Assert.False(other.HoldsBytes);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(held.TryGetPlain(out _, out _)); // the held page is asked for more often
        }

        Assert.False(other.TryGetPlain(out var none, out var rented)); // the caller streams it
        Assert.True(none.IsEmpty);
        Assert.Null(rented);

        for (var i = 0; i < 10 && !other.HoldsBytes; i++)
        {
            _ = other.TryGetPlain(out _, out _); // until asked for more often than the held page
        }

        Assert.True(other.HoldsBytes);
        Assert.False(held.HoldsBytes);
        Assert.True(other.TryGetPlain(out var kept, out rented));
        Assert.Null(rented);
        Assert.Equal(large.Reverse().ToArray(), kept.ToArray());
        Assert.True(budget.Bytes <= budget.Capacity);
    }

    [Fact]
    public void Use_counts_saturate_and_halve_per_time_slot()
    {
        var packed = 0;
        for (var i = 0; i < 40; i++)
        {
            packed = UseFrequency.Incremented(packed, slot: 1000);
        }

        Assert.Equal(UseFrequency.Max, UseFrequency.Decayed(packed, 1000));
        Assert.Equal(7, UseFrequency.Decayed(packed, 1001));
        Assert.Equal(1, UseFrequency.Decayed(packed, 1003));
        Assert.Equal(0, UseFrequency.Decayed(packed, 1004));
        Assert.Equal(4, UseFrequency.Decayed(UseFrequency.Incremented(packed, 1002), 1002));
        Assert.Equal(0, UseFrequency.Decayed(0, 1000)); // never used
    }
}
