using System.Buffers;
using System.Security.Cryptography;
using Blake2 = NSec.Cryptography;

namespace Clutch.Packaging;

/// <summary>The digests an index publishes for a file, lower-case hex.</summary>
public sealed record FileDigests(string Sha256, string Md5, string Blake2b256, long Size);

/// <summary>
/// Computes sha256, md5 and blake2b-256 in one pass over a stream. blake2b comes from libsodium
/// (NSec): about four times the managed implementations' speed. For large chunks md5 runs on a
/// second core while sha256 and blake2b run on this one, so an upload is hashed at close to the
/// speed of its slowest hash rather than the sum of all three.
/// </summary>
public sealed class DigestCalculator : IDisposable
{
    private const int BufferSize = 1024 * 1024;

    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
#pragma warning disable CA5351 // md5 is published for legacy clients, not used for security.
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
    private const int ParallelThreshold = 256 * 1024;
    private Blake2.IncrementalHash _blake2b;
    private long _size;
    private bool _finished;

    public DigestCalculator() => Blake2.IncrementalHash.Initialize(Blake2.HashAlgorithm.Blake2b_256, out _blake2b);

    /// <summary>Feeds bytes to every hash.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(data.Length, BufferSize));
        try
        {
            while (!data.IsEmpty)
            {
                var n = Math.Min(data.Length, buffer.Length);
                data[..n].CopyTo(buffer);
                Append(buffer, n);
                data = data[n..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Append(byte[] buffer, int count)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (count >= ParallelThreshold)
        {
            var md5 = Task.Run(() => _md5.AppendData(buffer, 0, count));
            _sha256.AppendData(buffer, 0, count);
            Blake2.IncrementalHash.Update(ref _blake2b, buffer.AsSpan(0, count));
            md5.GetAwaiter().GetResult();
        }
        else
        {
            _sha256.AppendData(buffer, 0, count);
            _md5.AppendData(buffer, 0, count);
            Blake2.IncrementalHash.Update(ref _blake2b, buffer.AsSpan(0, count));
        }

        _size += count;
    }

    /// <summary>Finishes and returns the digests of everything appended; the calculator cannot be reused.</summary>
    public FileDigests Finish()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _finished = true;
        return new FileDigests(
            Convert.ToHexStringLower(_sha256.GetHashAndReset()),
            Convert.ToHexStringLower(_md5.GetHashAndReset()),
            Convert.ToHexStringLower(Blake2.IncrementalHash.Finalize(ref _blake2b)),
            _size);
    }

    /// <summary>Reads the stream to its end and returns its digests.</summary>
    /// <remarks>One pooled 1 MiB buffer; see the class remarks for the use of a second core.</remarks>
    public static async ValueTask<FileDigests> ComputeAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var calculator = new DigestCalculator();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                calculator.Append(buffer, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return calculator.Finish();
    }

    public void Dispose()
    {
        _sha256.Dispose();
        _md5.Dispose();
    }
}
