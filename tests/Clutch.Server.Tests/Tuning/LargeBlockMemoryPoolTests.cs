using Clutch.Hosting;
using Clutch.Tuning;

namespace Clutch.Server.Tests.Tuning;

public class LargeBlockMemoryPoolTests
{
    [Fact]
    public void Blocks_are_64_KB_and_a_returned_block_is_rented_again()
    {
        using var pool = new LargeBlockMemoryPool();
        var first = pool.Rent();
        Assert.Equal(LargeBlockMemoryPool.BlockSize, first.Memory.Length);
        Assert.Equal(LargeBlockMemoryPool.BlockSize, pool.MaxBufferSize);
        first.Memory.Span[0] = 42;
        first.Dispose();

        var second = pool.Rent(4096);
        Assert.Same(first, second);
        second.Dispose();
    }

    [Fact]
    public void A_request_for_more_than_a_block_is_refused()
    {
        using var pool = new LargeBlockMemoryPool();
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(LargeBlockMemoryPool.BlockSize + 1));
    }

    [Fact]
    public void At_most_the_retained_count_of_free_blocks_is_kept()
    {
        using var pool = new LargeBlockMemoryPool();
        var rented = Enumerable.Range(0, LargeBlockMemoryPool.MaxRetained + 10).Select(_ => pool.Rent()).ToList();
        rented.ForEach(b => b.Dispose());

        // Renting everything again reuses exactly the retained blocks, then allocates new ones.
        var again = Enumerable.Range(0, LargeBlockMemoryPool.MaxRetained + 10).Select(_ => pool.Rent()).ToList();
        Assert.Equal(LargeBlockMemoryPool.MaxRetained, again.Count(rented.Contains));
    }
}
