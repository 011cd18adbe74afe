using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace Clutch.Packaging;

/// <summary>
/// Checks a zip (wheel, egg, zip sdist) in one forward pass over its bytes: walks the local headers,
/// inflates every member and compares its CRC-32 and size with its header. Fed by pushes
/// (<see cref="Start"/>, <see cref="WriteAsync"/>, <see cref="CompleteAsync"/>) while an upload
/// streams to disk or a file is hashed, so a large archive is read once; or pulled from a stream
/// (<see cref="ScanAsync"/>). <see cref="System.IO.Compression.ZipArchive"/> does not check CRCs.
/// </summary>
public sealed class ZipStreamVerifier : IAsyncDisposable
{
    private const uint LocalHeader = 0x04034b50;
    private const uint CentralHeader = 0x02014b50;
    private const uint EndOfCentralDirectory = 0x06054b50;
    private const uint Zip64EndOfCentralDirectory = 0x06064b50;
    private const int BufferSize = 64 * 1024;

    private readonly ChunkFeedStream _feed = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<ZipLocalScan> _scan;

    private ZipStreamVerifier(string filename, ArchiveLimits limits)
    {
        _scan = Task.Run(async () =>
        {
            try
            {
                return await ScanAsync(_feed, filename, limits, _stop.Token).ConfigureAwait(false);
            }
            finally
            {
                _feed.StopReading();
            }
        });
    }

    /// <summary>Whether <paramref name="filename"/> names a zip-based distribution (wheel, egg, zip sdist).</summary>
    public static bool AppliesTo(string filename) =>
        filename.EndsWith(".whl", StringComparison.OrdinalIgnoreCase)
        || filename.EndsWith(".egg", StringComparison.OrdinalIgnoreCase)
        || filename.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);

    /// <summary>A verifier for the bytes about to be pushed, or null when the file is not a zip.</summary>
    public static ZipStreamVerifier? Start(string filename, ArchiveLimits limits)
        => AppliesTo(filename) ? new ZipStreamVerifier(filename, limits ?? ArchiveLimits.Default) : null;

    /// <summary>The next bytes of the file, copied before this returns; waits while the check is behind.</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        => _feed.PushAsync(data, cancellationToken);

    /// <summary>Ends the input and returns what the pass found.</summary>
    public Task<ZipLocalScan> CompleteAsync()
    {
        _feed.CompletePushing();
        return _scan;
    }

    public async ValueTask DisposeAsync()
    {
        _feed.CompletePushing();
        await _stop.CancelAsync().ConfigureAwait(false);
        await ((Task)_scan).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    /// <summary>Reads <paramref name="stream"/> forward from where it is, up to its central directory.</summary>
    public static async Task<ZipLocalScan> ScanAsync(Stream stream, string filename, ArchiveLimits limits, CancellationToken cancellationToken)
    {
        var members = new Dictionary<string, ZipLocalMember>(StringComparer.Ordinal);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var complete = await ReadMembersAsync(stream, filename, limits ?? ArchiveLimits.Default, members, buffer, cancellationToken).ConfigureAwait(false);
            return new ZipLocalScan(members, complete, null);
        }
        catch (InvalidArchiveException ex)
        {
            return new ZipLocalScan(members, false, ex.Message);
        }
        catch (InvalidDataException ex)
        {
            return new ZipLocalScan(members, false, $"'{filename}': not a readable zip archive ({ArchiveInspector.OneLine(ex.Message)})");
        }
        catch (Exception ex) when (ex is EndOfStreamException or NotSupportedException or ArgumentException or OverflowException)
        {
            // Truncated, or headers this pass cannot follow: the central directory reader checks
            // every member itself (and says in its own words what is wrong).
            return new ZipLocalScan(members, false, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>True when every member up to the central directory was read and checked.</summary>
    private static async Task<bool> ReadMembersAsync(
        Stream stream, string file, ArchiveLimits limits, Dictionary<string, ZipLocalMember> members, byte[] buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!await TryReadExactlyAsync(stream, buffer.AsMemory(0, 4), cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            var signature = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
            if (signature is CentralHeader or EndOfCentralDirectory or Zip64EndOfCentralDirectory)
            {
                return true;
            }

            if (signature != LocalHeader)
            {
                return false; // leading bytes (a self-extractor) or something unexpected: check from the central directory
            }

            await stream.ReadExactlyAsync(buffer.AsMemory(0, 26), cancellationToken).ConfigureAwait(false);
            var header = buffer.AsSpan(0, 26);
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(header[2..]);
            var method = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(header[10..]);
            long compressed = BinaryPrimitives.ReadUInt32LittleEndian(header[14..]);
            long length = BinaryPrimitives.ReadUInt32LittleEndian(header[18..]);
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[22..]);
            var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header[24..]);
            await stream.ReadExactlyAsync(buffer.AsMemory(0, nameLength + extraLength), cancellationToken).ConfigureAwait(false);
            var name = Encoding.UTF8.GetString(buffer, 0, nameLength);
            (compressed, length) = Zip64Sizes(buffer.AsSpan(nameLength, extraLength), compressed, length);

            if ((flags & 1) != 0)
            {
                throw new InvalidArchiveException($"'{file}': member '{ArchiveInspector.Abbreviated(name)}' is encrypted");
            }

            if ((flags & 8) != 0)
            {
                return false; // sizes and CRC come after the data: members cannot be delimited going forward
            }

            if (members.Count >= limits.MaxMembers)
            {
                throw new InvalidArchiveException($"'{file}': more than the limit of {limits.MaxMembers} members");
            }

            CheckDeclared(file, name, compressed, length, limits);
            var verified = await CheckDataAsync(stream, file, name, method, crc, compressed, length, buffer, cancellationToken).ConfigureAwait(false);
            if (!members.TryAdd(name, new ZipLocalMember(crc, compressed, length, verified)))
            {
                throw new InvalidArchiveException($"'{file}': member '{ArchiveInspector.Abbreviated(name)}' appears more than once");
            }
        }
    }

    /// <summary>Reads a member's data; checks CRC-32 and size unless its compression method is unknown here (then skipped).</summary>
    private static async Task<bool> CheckDataAsync(
        Stream stream, string file, string name, ushort method, uint crc, long compressed, long length, byte[] buffer, CancellationToken cancellationToken)
    {
        var data = new BoundedReadStream(stream, compressed);
        var hash = new Crc32();
        long count = 0;
        bool verified;
        switch (method)
        {
            case 0 when compressed != length:
                throw new InvalidArchiveException($"'{file}': stored member '{ArchiveInspector.Abbreviated(name)}' declares {length} bytes but holds {compressed}");
            case 0:
                count = await HashAsync(data, hash, buffer, long.MaxValue, file, name, cancellationToken).ConfigureAwait(false);
                verified = true;
                break;
            case 8:
                var inflate = new DeflateStream(data, CompressionMode.Decompress, leaveOpen: true);
                await using (inflate.ConfigureAwait(false))
                {
                    count = await HashAsync(inflate, hash, buffer, length, file, name, cancellationToken).ConfigureAwait(false);
                }

                verified = true;
                break;
            default:
                verified = false; // bzip2, lzma, ...: not readable here; the data is skipped
                break;
        }

        await data.SkipRestAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (!verified)
        {
            return false;
        }

        if (count != length)
        {
            throw new InvalidArchiveException($"'{file}': member '{ArchiveInspector.Abbreviated(name)}' holds {count} bytes, not the {length} its header declares");
        }

        if (hash.GetCurrentHashAsUInt32() != crc)
        {
            throw new InvalidArchiveException($"'{file}': member '{ArchiveInspector.Abbreviated(name)}' fails its CRC-32 check (the archive is corrupt)");
        }

        return true;
    }

    private static async Task<long> HashAsync(Stream source, Crc32 hash, byte[] buffer, long limit, string file, string name, CancellationToken cancellationToken)
    {
        long count = 0;
        int n;
        while ((n = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
        {
            count += n;
            if (count > limit)
            {
                throw new InvalidArchiveException($"'{file}': member '{ArchiveInspector.Abbreviated(name)}' inflates past the {limit} bytes its header declares");
            }

            hash.Append(buffer.AsSpan(0, n));
        }

        return count;
    }

    private static void CheckDeclared(string file, string name, long compressed, long length, ArchiveLimits limits)
    {
        if (length > limits.MaxMemberBytes || length < 0 || compressed < 0)
        {
            throw new InvalidArchiveException($"'{file}': member '{ArchiveInspector.Abbreviated(name)}' declares {length} bytes, more than the limit of {limits.MaxMemberBytes}");
        }

        if (length > limits.RatioCheckThresholdBytes && length > limits.MaxCompressionRatio * Math.Max(1, compressed))
        {
            throw new InvalidArchiveException($"'{file}': member '{ArchiveInspector.Abbreviated(name)}' compresses {length / Math.Max(1, compressed)}:1, a zip bomb");
        }
    }

    /// <summary>Sizes from the zip64 extra field (id 1) for those the header marks as 0xFFFFFFFF.</summary>
    private static (long Compressed, long Length) Zip64Sizes(ReadOnlySpan<byte> extra, long compressed, long length)
    {
        if (compressed != uint.MaxValue && length != uint.MaxValue)
        {
            return (compressed, length);
        }

        while (extra.Length >= 4)
        {
            var id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            var size = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            var body = extra.Slice(4, Math.Min(size, extra.Length - 4));
            if (id == 1)
            {
                if (length == uint.MaxValue && body.Length >= 8)
                {
                    length = BinaryPrimitives.ReadInt64LittleEndian(body);
                    body = body[8..];
                }

                if (compressed == uint.MaxValue && body.Length >= 8)
                {
                    compressed = BinaryPrimitives.ReadInt64LittleEndian(body);
                }

                break;
            }

            extra = extra[Math.Min(extra.Length, 4 + size)..];
        }

        return (compressed, length);
    }

    private static async Task<bool> TryReadExactlyAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return read == buffer.Length;
    }

    /// <summary>At most <c>length</c> bytes of the inner stream: one member's data.</summary>
    private sealed class BoundedReadStream(Stream inner, long length) : Stream
    {
        private long _left = length;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left == 0 || buffer.IsEmpty)
            {
                return 0;
            }

            var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            _left -= n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");

        public async ValueTask SkipRestAsync(byte[] scratch, CancellationToken cancellationToken)
        {
            while (await ReadAsync(scratch, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
