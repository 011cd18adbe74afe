using System.Buffers;
using System.Threading.Channels;

namespace Clutch.Packaging;

/// <summary>
/// A read-only, forward-only stream of the chunks a producer pushes: lets a reader that pulls (a
/// zip parser, <see cref="System.IO.Compression.DeflateStream"/>) run on bytes that arrive in
/// pushes (an upload being written to disk, a file being hashed). Each chunk is copied into a
/// pooled buffer, so the producer may reuse its own at once; at most <see cref="Capacity"/> chunks
/// wait, so a slow reader slows the producer instead of growing memory.
/// </summary>
internal sealed class ChunkFeedStream : Stream
{
    private const int Capacity = 4;

    private readonly Channel<(byte[] Buffer, int Count)> _chunks = Channel.CreateBounded<(byte[], int)>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = true });

    private byte[]? _current;
    private int _offset;
    private int _count;

    /// <summary>Queues a copy of <paramref name="data"/>; a no-op once the reader has stopped.</summary>
    public async ValueTask PushAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(data.Length);
        data.CopyTo(buffer);
        try
        {
            await _chunks.Writer.WriteAsync((buffer, data.Length), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>No more chunks: the reader sees the end of the stream after the queued ones.</summary>
    public void CompletePushing() => _chunks.Writer.TryComplete();

    /// <summary>The reader is done: later pushes are dropped and queued chunks go back to the pool.</summary>
    public void StopReading()
    {
        _chunks.Writer.TryComplete();
        while (_chunks.Reader.TryRead(out var chunk))
        {
            ArrayPool<byte>.Shared.Return(chunk.Buffer);
        }

        ReturnCurrent();
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_current is null || _offset == _count)
        {
            ReturnCurrent();
            if (!await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }

            if (_chunks.Reader.TryRead(out var chunk))
            {
                (_current, _offset, _count) = (chunk.Buffer, 0, chunk.Count);
            }
        }

        var n = Math.Min(buffer.Length, _count - _offset);
        _current.AsSpan(_offset, n).CopyTo(buffer.Span);
        _offset += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // The reader runs on its own task and reads asynchronously only: a blocking read would hold a
    // pool thread while the producer waits for the network.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");

    private void ReturnCurrent()
    {
        if (_current is not null)
        {
            ArrayPool<byte>.Shared.Return(_current);
            _current = null;
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
