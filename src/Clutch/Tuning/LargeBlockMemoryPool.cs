using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Clutch.Tuning;

/// <summary>Gives Kestrel <see cref="LargeBlockMemoryPool"/>s instead of its 4 KB-block pools.</summary>
internal sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}

/// <summary>
/// Connection buffers in 64 KB blocks. Kestrel receives into one pool block per read call, so with
/// its 4 KB blocks a 500 MB upload costs some 250,000 recv calls (each with a wake-up of the pipe
/// reader); with 64 KB blocks a read takes what the socket holds, up to 64 KB. Responses gain too:
/// headers and a page body of a few KB leave in one block, one iovec. Blocks are pinned (socket
/// I/O hands their address to the kernel) and reused; at most <see cref="MaxRetained"/> are kept
/// between uses, the rest go back to the GC.
/// </summary>
internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;

    /// <summary>Free blocks kept for reuse: 8 MB, the input and output blocks of 64 busy connections.</summary>
    public const int MaxRetained = 128;

    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            return block;
        }

        return new Block(this);
    }

    protected override void Dispose(bool disposing)
    {
        _free.Clear();
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _freeCount) <= MaxRetained)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }

    private sealed class Block(LargeBlockMemoryPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);

        public Memory<byte> Memory => _array;

        public void Dispose() => pool.Return(this);
    }
}
