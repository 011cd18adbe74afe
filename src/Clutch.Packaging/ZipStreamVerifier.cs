using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Clutch.Packaging;

/// <summary>
/// Checks a zip (wheel, egg, zip sdist) in one forward pass over its bytes: walks the local headers,
/// inflates every member and compares its CRC-32 and size with its header. Pushed the file's bytes
/// in order (<see cref="Start"/>, <see cref="WriteAsync"/>, <see cref="CompleteAsync"/>) while an
/// upload streams to disk or a file is hashed, so a large archive is read once; or pulled from a
/// stream (<see cref="ScanAsync"/>). A state machine: headers split across pushes are gathered in a
/// small carry buffer; a stored member's bytes are hashed where they lie, without a copy; a deflated
/// member's go through a <see cref="ZipMemberInflater"/>.
/// <see cref="System.IO.Compression.ZipArchive"/> does not check CRCs.
/// </summary>
public sealed class ZipStreamVerifier : IAsyncDisposable
{
    private const uint LocalHeader = 0x04034b50;
    private const uint CentralHeader = 0x02014b50;
    private const uint EndOfCentralDirectory = 0x06054b50;
    private const uint Zip64EndOfCentralDirectory = 0x06064b50;
    private const int LocalHeaderRest = 26;
    private const int BufferSize = 64 * 1024;

    private readonly string _file;
    private readonly ArchiveLimits _limits;
    private readonly Dictionary<string, ZipLocalMember> _members = new(StringComparer.Ordinal);
    private readonly Crc32 _hash = new();

    private State _state = State.Signature;
    private byte[] _carry = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _need = 4;
    private int _have;
    private bool _complete;
    private string? _failure;

    // The member being read: its local header, and what its data gave so far.
    private ushort _flags;
    private ushort _method;
    private uint _crc;
    private long _compressed;
    private long _length;
    private int _nameLength;
    private int _extraLength;
    private string _name = "";
    private long _remaining;
    private long _count;
    private ZipMemberInflater? _inflater;
    private byte[]? _inflated;

    private enum State
    {
        Signature,
        Header,
        NameAndExtra,
        Data,
        Done,
    }

    private ZipStreamVerifier(string filename, ArchiveLimits limits)
    {
        _file = filename;
        _limits = limits ?? ArchiveLimits.Default;
    }

    /// <summary>Whether <paramref name="filename"/> names a zip-based distribution (wheel, egg, zip sdist).</summary>
    public static bool AppliesTo(string filename) =>
        filename.EndsWith(".whl", StringComparison.OrdinalIgnoreCase)
        || filename.EndsWith(".egg", StringComparison.OrdinalIgnoreCase)
        || filename.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);

    /// <summary>A verifier for the bytes about to be pushed, or null when the file is not a zip.</summary>
    public static ZipStreamVerifier? Start(string filename, ArchiveLimits limits)
        => AppliesTo(filename) ? new ZipStreamVerifier(filename, limits) : null;

    /// <summary>
    /// Checks the next bytes of the file on a pool thread (so the caller can hash or write the same
    /// bytes meanwhile). The caller must not change them, nor push again, until this completes; they
    /// are not kept after it.
    /// </summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        => data.IsEmpty || _state == State.Done ? ValueTask.CompletedTask : new ValueTask(Task.Run(() => Write(data), cancellationToken));

    /// <summary>Ends the input and returns what the pass found.</summary>
    public Task<ZipLocalScan> CompleteAsync() => Task.FromResult(Finish());

    public ValueTask DisposeAsync()
    {
        Stop(complete: false, failure: null);
        if (_carry.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_carry);
            _carry = [];
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Reads <paramref name="stream"/> forward from where it is, up to its central directory (or a little past).</summary>
    public static async Task<ZipLocalScan> ScanAsync(Stream stream, string filename, ArchiveLimits limits, CancellationToken cancellationToken)
    {
        var verifier = new ZipStreamVerifier(filename, limits);
        await using (verifier.ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                int n;
                while (verifier._state != State.Done
                    && (n = await stream.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    verifier.Write(buffer.AsMemory(0, n));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return verifier.Finish();
        }
    }

    /// <summary>Checks the next bytes; a refusal or a stop is recorded for <see cref="Finish"/>, never thrown.</summary>
    internal void Write(ReadOnlyMemory<byte> data)
    {
        try
        {
            Consume(data);
        }
        catch (InvalidArchiveException ex)
        {
            Stop(complete: false, ex.Message);
        }
        catch (InvalidDataException ex)
        {
            Stop(complete: false, $"'{_file}': not a readable zip archive ({ArchiveInspector.OneLine(ex.Message)})");
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentException or OverflowException)
        {
            // Headers this pass cannot follow: the central directory reader checks every member
            // itself (and says in its own words what is wrong).
            Stop(complete: false, failure: null);
        }
    }

    /// <summary>
    /// What the pass found. Input that ends before the central directory (a truncated file, or
    /// fewer than four bytes left) leaves the scan incomplete, for the central directory reader.
    /// </summary>
    private ZipLocalScan Finish()
    {
        Stop(complete: false, failure: null);
        return new ZipLocalScan(_members, _complete, _failure);
    }

    private void Stop(bool complete, string? failure)
    {
        if (_state == State.Done)
        {
            return;
        }

        _state = State.Done;
        _complete = complete;
        _failure = failure;
        EndMemberData();
    }

    private void Consume(ReadOnlyMemory<byte> data)
    {
        while (_state != State.Done)
        {
            if (_state == State.Data)
            {
                if (_remaining == 0)
                {
                    FinishMember();
                    continue;
                }

                if (data.IsEmpty)
                {
                    return;
                }

                var take = (int)Math.Min(_remaining, data.Length);
                ConsumeData(data[..take]);
                _remaining -= take;
                data = data[take..];
                continue;
            }

            if (_have < _need)
            {
                var take = Math.Min(_need - _have, data.Length);
                data.Span[..take].CopyTo(_carry.AsSpan(_have));
                _have += take;
                data = data[take..];
                if (_have < _need)
                {
                    return;
                }
            }

            var gathered = _carry.AsSpan(0, _need);
            switch (_state)
            {
                case State.Signature:
                    OnSignature(BinaryPrimitives.ReadUInt32LittleEndian(gathered));
                    break;
                case State.Header:
                    OnHeader(gathered);
                    break;
                default:
                    OnNameAndExtra(gathered);
                    break;
            }
        }
    }

    private void Expect(State state, int bytes)
    {
        if (_carry.Length < bytes)
        {
            ArrayPool<byte>.Shared.Return(_carry);
            _carry = ArrayPool<byte>.Shared.Rent(bytes);
        }

        (_state, _need, _have) = (state, bytes, 0);
    }

    private void OnSignature(uint signature)
    {
        if (signature is CentralHeader or EndOfCentralDirectory or Zip64EndOfCentralDirectory)
        {
            Stop(complete: true, failure: null);
        }
        else if (signature != LocalHeader)
        {
            Stop(complete: false, failure: null); // leading bytes (a self-extractor) or something unexpected: check from the central directory
        }
        else
        {
            Expect(State.Header, LocalHeaderRest);
        }
    }

    private void OnHeader(ReadOnlySpan<byte> header)
    {
        _flags = BinaryPrimitives.ReadUInt16LittleEndian(header[2..]);
        _method = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        _crc = BinaryPrimitives.ReadUInt32LittleEndian(header[10..]);
        _compressed = BinaryPrimitives.ReadUInt32LittleEndian(header[14..]);
        _length = BinaryPrimitives.ReadUInt32LittleEndian(header[18..]);
        _nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[22..]);
        _extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header[24..]);
        Expect(State.NameAndExtra, _nameLength + _extraLength);
    }

    private void OnNameAndExtra(ReadOnlySpan<byte> nameAndExtra)
    {
        _name = Encoding.UTF8.GetString(nameAndExtra[.._nameLength]);
        (_compressed, _length) = Zip64Sizes(nameAndExtra.Slice(_nameLength, _extraLength), _compressed, _length);
        if ((_flags & 1) != 0)
        {
            throw new InvalidArchiveException($"'{_file}': member '{ArchiveInspector.Abbreviated(_name)}' is encrypted");
        }

        if ((_flags & 8) != 0)
        {
            Stop(complete: false, failure: null); // sizes and CRC come after the data: members cannot be delimited going forward
            return;
        }

        if (_members.Count >= _limits.MaxMembers)
        {
            throw new InvalidArchiveException($"'{_file}': more than the limit of {_limits.MaxMembers} members");
        }

        CheckDeclared(_file, _name, _compressed, _length, _limits);
        if (_method == 0 && _compressed != _length)
        {
            throw new InvalidArchiveException($"'{_file}': stored member '{ArchiveInspector.Abbreviated(_name)}' declares {_length} bytes but holds {_compressed}");
        }

        _hash.Reset();
        _count = 0;
        _remaining = _compressed;
        if (_method == 8)
        {
            _inflater = new ZipMemberInflater();
            _inflated ??= ArrayPool<byte>.Shared.Rent(BufferSize);
        }

        _state = State.Data;
    }

    /// <summary>The member's next data bytes: hashed where they lie when stored, inflated first when deflated, skipped otherwise.</summary>
    private void ConsumeData(ReadOnlyMemory<byte> data)
    {
        if (_method == 0)
        {
            Count(data.Span);
        }
        else if (_inflater is not null && _inflated is not null)
        {
            _inflater.Push(data);
            int n;
            while ((n = _inflater.Read(_inflated)) > 0)
            {
                Count(_inflated.AsSpan(0, n));
            }
        }

        // bzip2, lzma, ...: not readable here; the data is skipped
    }

    private void Count(ReadOnlySpan<byte> bytes)
    {
        _count += bytes.Length;
        if (_count > _length)
        {
            throw new InvalidArchiveException($"'{_file}': member '{ArchiveInspector.Abbreviated(_name)}' inflates past the {_length} bytes its header declares");
        }

        _hash.Append(bytes);
    }

    private void FinishMember()
    {
        EndMemberData();
        var verified = _method is 0 or 8;
        if (verified && _count != _length)
        {
            throw new InvalidArchiveException($"'{_file}': member '{ArchiveInspector.Abbreviated(_name)}' holds {_count} bytes, not the {_length} its header declares");
        }

        if (verified && _hash.GetCurrentHashAsUInt32() != _crc)
        {
            throw new InvalidArchiveException($"'{_file}': member '{ArchiveInspector.Abbreviated(_name)}' fails its CRC-32 check (the archive is corrupt)");
        }

        if (!_members.TryAdd(_name, new ZipLocalMember(_crc, _compressed, _length, verified)))
        {
            throw new InvalidArchiveException($"'{_file}': member '{ArchiveInspector.Abbreviated(_name)}' appears more than once");
        }

        Expect(State.Signature, 4);
    }

    private void EndMemberData()
    {
        _inflater?.Dispose();
        _inflater = null;
        if (_inflated is not null && _state == State.Done)
        {
            ArrayPool<byte>.Shared.Return(_inflated);
            _inflated = null;
        }
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
}
