using System.IO.Compression;

namespace Clutch.Packaging;

/// <summary>
/// Inflates one deflated zip member from compressed bytes pushed in pieces.
/// <see cref="DeflateStream"/> pulls its input: it reads here from <see cref="PieceStream"/>, which
/// gives it the piece last pushed and then reports no more input; the inflater keeps its state
/// across that and reads again after the next push.
/// </summary>
internal sealed class ZipMemberInflater : IDisposable
{
    private readonly PieceStream _input = new();
    private readonly DeflateStream _inflate;

    public ZipMemberInflater() => _inflate = new DeflateStream(_input, CompressionMode.Decompress, leaveOpen: true);

    /// <summary>The member's next compressed bytes (none past its end); kept until <see cref="Read"/> returns 0.</summary>
    public void Push(ReadOnlyMemory<byte> compressed) => _input.Current = compressed;

    /// <summary>
    /// The next inflated bytes of what was pushed, or 0 when it is used up (or the deflate data
    /// ended: bytes after it are ignored). The pushed bytes are no longer referenced after a 0.
    /// </summary>
    public int Read(Span<byte> output)
    {
        var n = _inflate.Read(output);
        if (n == 0)
        {
            _input.Current = default;
        }

        return n;
    }

    public void Dispose() => _inflate.Dispose();

    /// <summary>Gives out the current piece, then reports the end of input until the next piece is set.</summary>
    private sealed class PieceStream : Stream
    {
        public ReadOnlyMemory<byte> Current { get; set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, Current.Length);
            Current.Span[..n].CopyTo(buffer);
            Current = Current[n..];
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
