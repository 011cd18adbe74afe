using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace Clutch.Storage;

/// <summary>
/// Path, size, source mtime and identity (inode, ctime) of every recorded file: what a reconcile compares with the disk to
/// decide what to rehash. Paths are kept as UTF-8 in one buffer and the rows in a few arrays, all
/// in native memory freed on <see cref="Dispose"/>, and looked up by span. A list of rows with a
/// string each and a dictionary over them would put one small object per file, alive for the
/// whole reconcile, into the GC's older generations every minute, and the gen1 and gen2
/// collections that follow pause the requests served meanwhile. Arrays from the GC instead (pooled
/// or not) are large-object-heap allocations of several MB each time, which start gen2
/// collections of their own.
/// </summary>
public sealed unsafe class FileStateTable : IDisposable
{
    private NativeArray<byte> _bytes;
    private NativeArray<int> _ends;
    private NativeArray<long> _sizes;
    private NativeArray<long> _mtimes;
    private NativeArray<long> _inodes;
    private NativeArray<long> _ctimes;
    private NativeArray<int> _slots;
    private int _used;

    public FileStateTable(int capacity = 1024)
    {
        capacity = Math.Max(capacity, 16);
        _bytes = new NativeArray<byte>(capacity * 64);
        _ends = new NativeArray<int>(capacity);
        _sizes = new NativeArray<long>(capacity);
        _mtimes = new NativeArray<long>(capacity);
        _inodes = new NativeArray<long>(capacity);
        _ctimes = new NativeArray<long>(capacity);
    }

    ~FileStateTable() => Free();

    /// <summary>Rows added so far.</summary>
    public int Count { get; private set; }

    /// <summary>Adds one row. Paths are unique in a catalog; were one added twice, lookups find the first.</summary>
    public void Add(ReadOnlySpan<char> path, long size, long sourceMtimeTicks, FileIdentity identity = default)
    {
        ObjectDisposedException.ThrowIf(_ends.IsNull, this);
        if (!_slots.IsNull)
        {
            throw new InvalidOperationException("Rows are added before the first lookup.");
        }

        if (Count == _ends.Length)
        {
            _ends.Grow(Count * 2);
            _sizes.Grow(Count * 2);
            _mtimes.Grow(Count * 2);
            _inodes.Grow(Count * 2);
            _ctimes.Grow(Count * 2);
        }

        var length = Encoding.UTF8.GetByteCount(path);
        if (_bytes.Length - _used < length)
        {
            _bytes.Grow(Math.Max(_bytes.Length * 2, _used + length));
        }

        _used += Encoding.UTF8.GetBytes(path, _bytes.Span[_used..]);
        _ends.Span[Count] = _used;
        _sizes.Span[Count] = size;
        _mtimes.Span[Count] = sourceMtimeTicks;
        _inodes.Span[Count] = identity.Inode;
        _ctimes.Span[Count] = identity.ChangeTicks;
        Count++;
    }

    public long SizeAt(int row) => _sizes.Span[Row(row)];

    public long SourceMtimeTicksAt(int row) => _mtimes.Span[Row(row)];

    public FileIdentity SourceIdentityAt(int row) => new(_inodes.Span[Row(row)], _ctimes.Span[Row(row)]);

    /// <summary>The row's path as a new string (for the few rows a reconcile acts on).</summary>
    public string PathAt(int row) => Encoding.UTF8.GetString(PathBytes(Row(row)));

    /// <summary>The row holding <paramref name="path"/>, or -1.</summary>
    public int IndexOf(ReadOnlySpan<char> path)
    {
        ObjectDisposedException.ThrowIf(_ends.IsNull, this);
        if (_slots.IsNull)
        {
            BuildSlots();
        }

        var slots = _slots.Span;
        var length = Encoding.UTF8.GetByteCount(path);
        byte[]? rented = null;
        var utf8 = length <= 512 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            Encoding.UTF8.GetBytes(path, utf8);
            var mask = slots.Length - 1;
            for (var slot = Hash(utf8) & mask; ; slot = (slot + 1) & mask)
            {
                var entry = slots[slot];
                if (entry == 0)
                {
                    return -1;
                }

                if (PathBytes(entry - 1).SequenceEqual(utf8))
                {
                    return entry - 1;
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        _bytes.Free();
        _ends.Free();
        _sizes.Free();
        _mtimes.Free();
        _inodes.Free();
        _ctimes.Free();
        _slots.Free();
        (Count, _used) = (0, 0);
    }

    private int Row(int row) => (uint)row < (uint)Count ? row : throw new ArgumentOutOfRangeException(nameof(row));

    private ReadOnlySpan<byte> PathBytes(int row)
    {
        var ends = _ends.Span;
        var start = row == 0 ? 0 : ends[row - 1];
        return _bytes.Span[start..ends[row]];
    }

    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        var hash = default(HashCode);
        hash.AddBytes(utf8);
        return hash.ToHashCode();
    }

    /// <summary>Open addressing with linear probing, at most half full: slot = row + 1, 0 = empty.</summary>
    private void BuildSlots()
    {
        var capacity = (int)Math.Max(16, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Count * 2));
        _slots = new NativeArray<int>(capacity);
        var slots = _slots.Span;
        slots.Clear();
        var mask = capacity - 1;
        for (var row = 0; row < Count; row++)
        {
            var slot = Hash(PathBytes(row)) & mask;
            while (slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            slots[slot] = row + 1;
        }
    }

    /// <summary>A growable array in native memory (uninitialized), outside the GC's heap.</summary>
    private struct NativeArray<T>(int length)
        where T : unmanaged
    {
        private T* _items = (T*)NativeMemory.Alloc((nuint)length, (nuint)sizeof(T));

        public int Length { get; private set; } = length;

        public readonly bool IsNull => _items is null;

        public readonly Span<T> Span => new(_items, Length);

        public void Grow(int length)
        {
            _items = (T*)NativeMemory.Realloc(_items, (nuint)length * (nuint)sizeof(T));
            Length = length;
        }

        public void Free()
        {
            NativeMemory.Free(_items);
            _items = null;
            Length = 0;
        }
    }
}
