using System.Globalization;
using System.IO.Compression;
using System.Text;
using Clutch.Pages;
using Microsoft.Extensions.Logging.Abstractions;

namespace Clutch.Server.Tests.Pages;

/// <summary>
/// The page store keeps the gzip and plain bytes of rendered pages in a nameless file: what goes in comes back
/// byte for byte whoever wrote it and whatever its size, nothing is left in the folder, replaced
/// pages are counted dead once, and a file that is mostly dead is replaced while its pages stay readable.
/// </summary>
public sealed class PageStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "clutch-pagestore-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static byte[] Body(int seed, int length)
    {
        var text = new StringBuilder();
        for (var i = 0; text.Length < length; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"<a href=\"/files/p{seed}/f{i}.whl#sha256={(seed * 7919 + i) * 104729:x16}\">f{i}</a>\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString(0, length));
    }

    private static byte[] Inflate(byte[] gzip)
    {
        using var gz = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gz.CopyTo(plain);
        return plain.ToArray();
    }

    private static async Task<byte[]> PlainAsync(RenderedPage page)
    {
        if (page.TryGetPlain(out var plain, out var rented))
        {
            var copy = plain.ToArray();
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }

            return copy;
        }

        using var streamed = new MemoryStream();
        await page.CopyPlainToAsync(streamed, CancellationToken.None);
        return streamed.ToArray();
    }

    [Fact]
    public async Task Pages_written_from_many_threads_read_back_byte_for_byte_plain_and_gzip()
    {
        using var store = PageStore.TryCreate(_dir, NullLogger.Instance)!;
        var sizes = new[] { 1, 700, 5_000, 16 * 1024, 70_000, 300_000 };
        var bodies = Enumerable.Range(0, 64).Select(i => Body(i, sizes[i % sizes.Length])).ToArray();

        // No budget for plain bytes: every plain answer comes back through the store.
        var pages = new RenderedPage[bodies.Length];
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = t; i < bodies.Length; i += 4)
            {
                pages[i] = new RenderedPage(bodies[i], new MemoryBudget(0), store);
            }
        })));

        for (var i = 0; i < bodies.Length; i++)
        {
            Assert.False(pages[i].TryGetGzipInMemory(out _));
            Assert.Equal(bodies[i], Inflate(pages[i].CopyGzip()));
            Assert.Equal(bodies[i], await PlainAsync(pages[i]));
        }

        // Both encodings of every page, nothing else.
        Assert.Equal(pages.Sum(p => p.GzipLength + p.Length), store.Length);
    }

    [Fact]
    public void Plain_bytes_the_budget_does_not_hold_are_read_from_the_store_not_decompressed()
    {
        using var store = PageStore.TryCreate(_dir, NullLogger.Instance)!;
        var body = Body(11, 12_000);
        var page = new RenderedPage(body, new MemoryBudget(0), store);

        // Not held and nothing rented: the caller reads the stored plain bytes (PageResponder).
        Assert.False(page.TryGetPlain(out _, out var rented));
        Assert.Null(rented);
        var stored = Assert.IsType<StoredBytes>(page.StoredPlain);
        var read = new byte[stored.Length];
        stored.Read(0, read);
        Assert.Equal(body, read);
        Assert.Equal(page.GzipLength, page.StoredGzip!.Length);
    }

    [Fact]
    public void A_page_the_budget_may_hold_copies_its_plain_bytes_from_the_store()
    {
        using var store = PageStore.TryCreate(_dir, NullLogger.Instance)!;
        var body = Body(12, 3_000);
        var budget = new MemoryBudget(64 * 1024);
        var page = new RenderedPage(body, budget, store); // held when rendered
        budget.Release(page.DropBytes()); // evicted, as the budget's hand does
        Assert.False(page.HoldsBytes);
        Assert.Equal(0, budget.Bytes);

        // Asked for again with room in the budget: taken back, read from the store.
        Assert.True(page.TryGetPlain(out var plain, out var rented));
        Assert.Null(rented);
        Assert.Equal(body, plain.ToArray());
        Assert.True(page.HoldsBytes);
        Assert.Equal(body.Length, budget.Bytes);
    }

    [Fact]
    public async Task Gzip_bytes_of_a_stored_page_are_held_in_memory_while_the_page_budget_has_room()
    {
        using var store = PageStore.TryCreate(_dir, NullLogger.Instance)!;
        var body = Body(7, 20_000);
        var roomy = new RenderedPage(body, new MemoryBudget(64 * 1024), store);
        var none = new RenderedPage(body, new MemoryBudget(0), store);

        Assert.True(roomy.TryGetGzipInMemory(out var held)); // copied from the store once, then held
        Assert.Equal(roomy.CopyGzip(), held.ToArray());
        Assert.True(roomy.TryGetGzipInMemory(out var again));
        Assert.True(held.Span == again.Span, "the same held copy, not a new read");
        Assert.False(none.TryGetGzipInMemory(out _)); // no room: read from the store per request
        Assert.Equal(body, await PlainAsync(none));
        Assert.Equal(body, await PlainAsync(roomy));
    }

    [Fact]
    public async Task The_whole_index_page_streams_from_the_store()
    {
        using var store = PageStore.TryCreate(_dir, NullLogger.Instance)!;
        var body = Body(3, 2_000_000);
        var page = await RenderedPage.WriteCompressedAsync(s => s.WriteAsync(body).AsTask(), store);

        Assert.Equal(body.Length, page.Length);
        Assert.Equal(body, Inflate(page.CopyGzip()));
        Assert.Equal(body, await PlainAsync(page));
    }

    [UnixFact]
    public void The_file_has_no_name_in_the_folder()
    {
        using var store = PageStore.TryCreate(_dir, NullLogger.Instance)!;
        var page = new RenderedPage(Body(1, 4000), null, store);

        Assert.Empty(Directory.GetFileSystemEntries(_dir));
        Assert.Equal(Body(1, 4000), Inflate(page.CopyGzip()));
    }

    [Fact]
    public void A_folder_that_takes_no_file_gives_no_store_and_pages_keep_their_gzip_in_memory()
    {
        var notAFolder = Path.Combine(Path.GetTempPath(), "clutch-pagestore-file-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(notAFolder, "a file where the folder should be");
        try
        {
            var store = PageStore.TryCreate(Path.Combine(notAFolder, ".clutch"), NullLogger.Instance);
            Assert.Null(store);

            var page = new RenderedPage(Body(2, 3000), null, store);
            Assert.True(page.TryGetGzipInMemory(out var gzip));
            Assert.Equal(Body(2, 3000), Inflate(gzip.ToArray()));
        }
        finally
        {
            File.Delete(notAFolder);
        }
    }

    [Fact]
    public async Task A_page_the_store_cannot_take_keeps_its_gzip_bytes_in_memory()
    {
        var store = PageStore.TryCreate(_dir, NullLogger.Instance)!;
        var before = new RenderedPage(Body(8, 5000), null, store);
        store.Dispose(); // as the server stops: its file is closed, a write to it fails

        var after = new RenderedPage(Body(9, 5000), new MemoryBudget(0), store);

        Assert.False(before.TryGetGzipInMemory(out _));
        Assert.True(after.TryGetGzipInMemory(out var gzip));
        Assert.Equal(Body(9, 5000), Inflate(gzip.ToArray()));
        Assert.Equal(Body(9, 5000), await PlainAsync(after));
    }

    [Fact]
    public void A_replaced_page_counts_dead_once()
    {
        using var store = PageStore.TryCreate(_dir, NullLogger.Instance)!;
        var page = new RenderedPage(Body(5, 9000), null, store);

        page.Release();
        page.Release();

        Assert.Equal(page.GzipLength, store.DeadBytes); // no budget: the plain bytes stay in memory, not in the file
        Assert.Equal(Body(5, 9000), Inflate(page.CopyGzip())); // a request still holding it reads it

        var withPlain = new RenderedPage(Body(6, 9000), new MemoryBudget(0), store);
        withPlain.Release();
        withPlain.Release();
        Assert.Equal(page.GzipLength + withPlain.GzipLength + withPlain.Length, store.DeadBytes);
    }

    [Fact]
    public void A_mostly_dead_file_is_replaced_and_its_pages_stay_readable()
    {
        using var store = PageStore.TryCreate(_dir, NullLogger.Instance, rotateAfterDeadBytes: 8 * 1024)!;
        var rotations = 0;
        store.Rotated += () => rotations++;
        var kept = new RenderedPage(Body(100, 6000), null, store);
        var replaced = new List<RenderedPage>();

        // Replaced pages pile up dead bytes; the file is replaced exactly when they reach the
        // threshold and twice the live bytes (the kept page), not before.
        for (var i = 0; rotations == 0; i++)
        {
            var page = new RenderedPage(Body(i, 6000), null, store);
            replaced.Add(page);
            var dead = store.DeadBytes + page.GzipLength;
            var live = store.Length - dead;
            page.Release();
            Assert.Equal(dead >= 8 * 1024 && dead >= 2 * live ? 1 : 0, rotations);
        }

        Assert.Equal(1, rotations);
        Assert.Equal(0, store.Length); // new pages go to a fresh file
        var fresh = new RenderedPage(Body(200, 6000), null, store);
        Assert.Equal(fresh.GzipLength, store.Length);

        Assert.Equal(Body(100, 6000), Inflate(kept.CopyGzip()));
        Assert.Equal(Body(0, 6000), Inflate(replaced[0].CopyGzip()));
        Assert.Equal(Body(200, 6000), Inflate(fresh.CopyGzip()));

        // Releasing a page of the old file counts nothing against the new one.
        kept.Release();
        Assert.Equal(0, store.DeadBytes);
        Assert.Equal(1, rotations);
    }
}

/// <summary>A fact for Unix only: there an open file can lose its name and keep its bytes.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Windows: the page store file keeps its name until it is closed (deleted on close)";
        }
    }
}
