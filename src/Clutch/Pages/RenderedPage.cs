using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;

namespace Clutch.Pages;

/// <summary>
/// A page rendered once per change, kept as bytes with the strong ETags of both encodings, so a
/// request is answered without touching the catalog. With a <see cref="PageStore"/>, both the gzip
/// and the plain bytes live in its file, each read back with one positional read per request,
/// unless the page budget holds a copy for the pages asked for most. Without a store the gzip bytes
/// live in memory, and a plain request whose bytes the budget does not hold decompresses them
/// (see <see cref="TryGetPlain"/>). Without a budget the plain bytes are kept for good. A page
/// written with <see cref="WriteCompressedAsync"/> (the whole-index pages) keeps only gzip bytes.
/// </summary>
public sealed class RenderedPage : HeldBytes<byte[]>
{
    private readonly MemoryBudget? _budget;
    private readonly byte[]? _gzip;
    private readonly StoredBytes? _stored;
    private readonly StoredBytes? _storedPlain;
    private readonly GzipCopy? _gzipCopy;

    public RenderedPage(byte[] body, MemoryBudget? budget = null, PageStore? store = null)
        : this(Compress(body), store, body.Length, SHA256.HashData(body))
    {
        _budget = budget;
        if (_stored is not null && budget is not null)
        {
            // Inflating a 10 KB page costs more CPU than one positional read of its plain bytes;
            // the file holds both encodings for the kernel to cache.
            _storedPlain = store!.TryAppend(body);
            _gzipCopy = new GzipCopy(this, budget);
        }

        CountUse(); // rendered because it was asked for
        if (budget is null)
        {
            Keep(body);
        }
        else
        {
            HoldIfAdmitted(body.Length, budget, body, static b => MemoryBudget.HeldCopy(b));
        }
    }

    private RenderedPage(MemoryStream gzip, PageStore? store, long length, byte[] sha256)
    {
        var bytes = gzip.GetBuffer().AsSpan(0, (int)gzip.Length);
        _stored = store?.TryAppend(bytes);
        if (_stored is null)
        {
            _gzip = bytes.ToArray();
        }

        GzipLength = bytes.Length;
        Length = length;
        var tag = Convert.ToHexStringLower(sha256.AsSpan(0, 12));
        ETag = new StringValues($"\"{tag}\"");
        GzipETag = new StringValues($"\"{tag}-gz\"");
    }

    /// <summary>Length of the plain bytes.</summary>
    public long Length { get; }

    /// <summary>Length of the gzip bytes.</summary>
    public int GzipLength { get; }

    /// <summary>
    /// The gzip bytes when they are in memory: kept there (no store), or a copy of stored ones that the
    /// page budget holds (see <see cref="GzipCopy"/>); false when they are to be read from the store.
    /// Called once per gzip answer: it counts as a use of the copy, and makes the copy when the budget
    /// admits it.
    /// </summary>
    public bool TryGetGzipInMemory(out ReadOnlyMemory<byte> gzip)
    {
        var bytes = _gzip ?? _gzipCopy?.Get();
        gzip = bytes;
        return bytes is not null;
    }

    public StringValues ETag { get; }

    public StringValues GzipETag { get; }

    /// <summary>
    /// Renders a page straight into its gzip bytes, hashing the plain bytes on the way: for pages
    /// too large to hold plain (tens of MB for the whole index's find-links page).
    /// </summary>
    public static async Task<RenderedPage> WriteCompressedAsync(Func<Stream, Task> write, PageStore? store = null)
    {
        using var output = new MemoryStream();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length;
        await using (var gz = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            var tee = new HashingStream(gz, hash);
            await write(tee).ConfigureAwait(false);
            length = tee.Length;
        }

        return new RenderedPage(output, store, length, hash.GetHashAndReset());
    }

    /// <summary>The gzip bytes in the store file; null when they are in memory.</summary>
    internal StoredBytes? StoredGzip => _stored;

    /// <summary>
    /// The plain bytes in the store file: where a plain answer reads them when
    /// <see cref="TryGetPlain"/> holds none. Null without a store (or when the store took the gzip
    /// bytes but not these): they are decompressed instead.
    /// </summary>
    internal StoredBytes? StoredPlain => _storedPlain;

    /// <summary>A copy of the gzip bytes (tests compare them).</summary>
    internal byte[] CopyGzip()
    {
        if (_gzip is not null)
        {
            return (byte[])_gzip.Clone();
        }

        var copy = new byte[GzipLength];
        _stored!.Read(0, copy);
        return copy;
    }

    /// <summary>
    /// The page was replaced or dropped: its bytes in the store count as dead space (see
    /// <see cref="PageStore"/>). Requests already holding the page still read them.
    /// </summary>
    public void Release()
    {
        _stored?.Release();
        _storedPlain?.Release();
    }

    /// <summary>Writes the plain bytes to <paramref name="destination"/>: read from the store, or decompressed as it goes.</summary>
    public async Task CopyPlainToAsync(Stream destination, CancellationToken cancellationToken)
    {
        if (_storedPlain is not null)
        {
            await new StoredStream(_storedPlain).CopyToAsync(destination, 64 * 1024, cancellationToken).ConfigureAwait(false);
            return;
        }

        await using var gz = new GZipStream(OpenGzip(), CompressionMode.Decompress);
        await gz.CopyToAsync(destination, 64 * 1024, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Largest plain body decompressed into a pooled buffer; larger ones not held are streamed.</summary>
    public const int MaxRentedLength = 64 * 1024;

    /// <summary>
    /// The plain bytes for one response, copied only when the budget keeps them: the held bytes, or
    /// bytes decompressed into a buffer rented from the shared pool (<paramref name="rented"/>, to be
    /// returned once written). Most evicted pages are not admitted back (the budget limits turnover),
    /// so a new array per request here was most of what plain page requests allocated. False when
    /// the budget does not hold them and they are in the store (the caller reads them from
    /// <see cref="StoredPlain"/>), and for a page larger than <see cref="MaxRentedLength"/> not held:
    /// the caller streams it (<see cref="CopyPlainToAsync"/>); the shared pool keeps the arrays it
    /// hands out, and a 512 KB one per concurrent root-page request would stay in it for good.
    /// </summary>
    public bool TryGetPlain(out ReadOnlyMemory<byte> plain, out byte[]? rented)
    {
        rented = null;
        if (Held is { } held)
        {
            plain = held;
            return true;
        }

        var length = (int)Length;
        if (_storedPlain is not null)
        {
            // Stored plain bytes exist only with a budget (see the constructor).
            var admitted = HoldIfAdmitted(length, _budget!, _storedPlain, ReadHeld);
            plain = admitted;
            return admitted is not null;
        }

        if (length > MaxRentedLength)
        {
            var kept = _budget is null ? null : HoldIfAdmitted(length, _budget, this, static page => page.Decompressed());
            plain = kept;
            return kept is not null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(length);
        Decompress(buffer.AsSpan(0, length));
        if (_budget is not null
            && HoldIfAdmitted(length, _budget, (Buffer: buffer, Length: length), static s => MemoryBudget.HeldCopy(s.Buffer.AsSpan(0, s.Length))) is { } copy)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            plain = copy;
            return true;
        }

        rented = buffer;
        plain = buffer.AsMemory(0, length);
        return true;
    }

    private byte[] Decompressed()
    {
        var body = MemoryBudget.HeldArray((int)Length);
        Decompress(body);
        return body;
    }

    private void Decompress(Span<byte> destination)
    {
        if ((_gzip ?? _gzipCopy?.Peek()) is { } inMemory)
        {
            Inflate(inMemory, destination);
            return;
        }

        // Read back whole (a few KB for a project page), then inflated from memory.
        var packed = ArrayPool<byte>.Shared.Rent(GzipLength);
        try
        {
            _stored!.Read(0, packed.AsSpan(0, GzipLength));
            Inflate(packed, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(packed);
        }
    }

    /// <summary>Inflates the page's gzip bytes, the first <see cref="GzipLength"/> of <paramref name="gzip"/>, into <paramref name="destination"/>.</summary>
    private void Inflate(byte[] gzip, Span<byte> destination)
    {
        using var gz = new GZipStream(new MemoryStream(gzip, 0, GzipLength, writable: false), CompressionMode.Decompress);
        gz.ReadExactly(destination);
    }

    /// <summary>Stored bytes read into a new array to be held under a budget.</summary>
    private static byte[] ReadHeld(StoredBytes stored)
    {
        var bytes = MemoryBudget.HeldArray(stored.Length);
        stored.Read(0, bytes);
        return bytes;
    }

    private Stream OpenGzip() => _gzip is not null ? new MemoryStream(_gzip, writable: false) : new StoredStream(_stored!);

    protected override int LengthOf(byte[] value) => value.Length;

    private static MemoryStream Compress(byte[] body)
    {
        var output = new MemoryStream(body.Length / 4 + 64);
        using (var gz = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gz.Write(body);
        }

        return output;
    }

    /// <summary>
    /// A copy of a stored page's gzip bytes, held under the page budget like plain bytes: gzip
    /// answers of the pages asked for most then cost no read of the store file (one positional read,
    /// a system call, per request otherwise). Frequency
    /// and admission are this copy's own (only gzip requests count), so plain and gzip bytes of
    /// different pages compete on how often each is asked for.
    /// </summary>
    private sealed class GzipCopy(RenderedPage page, MemoryBudget budget) : HeldBytes<byte[]>
    {
        /// <summary>The held copy, counting a use; made now when the budget admits it; null when it does not.</summary>
        public byte[]? Get() => Held ?? HoldIfAdmitted(page.GzipLength, budget, page._stored!, ReadHeld);

        /// <summary>The held copy without counting a use or making one (plain answers decompress from it).</summary>
        public byte[]? Peek() => HeldWithoutUse;

        protected override int LengthOf(byte[] value) => value.Length;
    }

    /// <summary>Reads stored gzip bytes in order, for streaming a large page's plain bytes.</summary>
    private sealed class StoredStream(StoredBytes stored) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => stored.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, stored.Length - _position);
            stored.Read(_position, buffer[..n]);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Passes writes on to the gzip stream, hashing and counting the plain bytes.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        private long _length;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            hash.AppendData(buffer);
            _length += buffer.Length;
            inner.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
