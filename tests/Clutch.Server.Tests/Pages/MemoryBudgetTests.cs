using System.IO.Compression;
using System.Text;
using Clutch.Pages;

namespace Clutch.Server.Tests.Pages;

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
            Assert.Equal(bodies[i], pages[i].Body);
            Assert.Equal(bodies[i].Length, pages[i].Length);
            Assert.True(budget.Bytes <= budget.Capacity);
        }

        // The gzip bytes are always there and decode to the plain bytes.
        using var gz = new GZipStream(new MemoryStream(pages[0].Gzip), CompressionMode.Decompress);
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
            _ = hot.Body; // read between every admission, as a popular page is
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
        _ = a.Body;
        Assert.Equal(before, a.ETag);
    }

    [Fact]
    public void Without_a_budget_the_plain_bytes_are_kept()
    {
        var body = Page(3, 10_000);
        var page = new RenderedPage(body);
        Assert.True(page.HoldsBytes);
        Assert.Same(body, page.Body);
    }
}
