using System.Buffers;
using System.Security.Cryptography;
using Blake2 = NSec.Cryptography;

namespace Clutch.Packaging;

/// <summary>
/// The digests an index publishes for a file, lower-case hex. sha256 is always there; md5 and
/// blake2b-256 are empty when they were not computed (see <see cref="DigestKinds"/>).
/// </summary>
public sealed record FileDigests(string Sha256, string Md5, string Blake2b256, long Size);

/// <summary>Which digests a <see cref="DigestCalculator"/> computes; sha256 always.</summary>
[Flags]
public enum DigestKinds
{
    Sha256 = 1,
    Md5 = 2,
    Blake2b256 = 4,
    All = Sha256 | Md5 | Blake2b256,
}

/// <summary>
/// Computes sha256 and, unless told otherwise, md5 and blake2b-256 in one pass over a stream. blake2b comes from libsodium
/// (NSec): about four times the managed implementations' speed. For large chunks md5 runs on a
/// second core while sha256 and blake2b run on this one, so an upload is hashed at close to the
/// speed of its slowest hash rather than the sum of all three.
/// </summary>
public sealed class DigestCalculator : IDisposable
{
    private const int BufferSize = 1024 * 1024;

    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash? _md5;
    private const int ParallelThreshold = 256 * 1024;
    private readonly bool _blake2bWanted;
    private Blake2.IncrementalHash _blake2b;
    private long _size;
    private bool _finished;

    public DigestCalculator(DigestKinds kinds = DigestKinds.All)
    {
#pragma warning disable CA5351 // md5 is published for legacy clients, not used for security.
        _md5 = kinds.HasFlag(DigestKinds.Md5) ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
#pragma warning restore CA5351
        _blake2bWanted = kinds.HasFlag(DigestKinds.Blake2b256);
        Blake2.IncrementalHash.Initialize(Blake2.HashAlgorithm.Blake2b_256, out _blake2b);
    }

    /// <summary>
    /// Feeds <paramref name="count"/> bytes of <paramref name="buffer"/> to every hash without copying
    /// them; the caller must not change those bytes until this returns.
    /// </summary>
    public void Append(byte[] buffer, int offset, int count)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_md5 is { } md5Hash && count >= ParallelThreshold)
        {
            var md5 = Task.Run(() => md5Hash.AppendData(buffer, offset, count));
            HashOnThisThread(buffer, offset, count);
            md5.GetAwaiter().GetResult();
        }
        else
        {
            _md5?.AppendData(buffer, offset, count);

            HashOnThisThread(buffer, offset, count);
        }

        _size += count;
    }

    /// <summary>All three digests of bytes already in memory: one-shot hashes, no hash objects to set up.</summary>
    public static FileDigests Compute(ReadOnlySpan<byte> data) => new(
        Convert.ToHexStringLower(SHA256.HashData(data)),
#pragma warning disable CA5351 // md5 is published for legacy clients, not used for security.
        Convert.ToHexStringLower(MD5.HashData(data)),
#pragma warning restore CA5351
        Convert.ToHexStringLower(Blake2.HashAlgorithm.Blake2b_256.Hash(data)),
        data.Length);

    /// <summary>Finishes and returns the digests of everything appended; the calculator cannot be reused.</summary>
    public FileDigests Finish()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _finished = true;
        var blake2b = Blake2.IncrementalHash.Finalize(ref _blake2b);
        return new FileDigests(
            Convert.ToHexStringLower(_sha256.GetHashAndReset()),
            _md5 is null ? "" : Convert.ToHexStringLower(_md5.GetHashAndReset()),
            _blake2bWanted ? Convert.ToHexStringLower(blake2b) : "",
            _size);
    }

    /// <summary>Reads the stream to its end and returns its digests.</summary>
    /// <remarks>One pooled 1 MiB buffer; see the class remarks for the use of a second core.</remarks>
    public static ValueTask<FileDigests> ComputeAsync(Stream stream, CancellationToken cancellationToken, DigestKinds kinds = DigestKinds.All)
        => ComputeAsync(stream, null, cancellationToken, kinds);

    /// <summary>
    /// Reads the stream to its end and returns its digests; every chunk read is also given to
    /// <paramref name="alsoTo"/> (which must copy what it keeps), so another check rides on the
    /// same read (a zip's members: <see cref="ZipStreamVerifier"/>).
    /// </summary>
    public static async ValueTask<FileDigests> ComputeAsync(
        Stream stream, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>? alsoTo, CancellationToken cancellationToken, DigestKinds kinds = DigestKinds.All)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var calculator = new DigestCalculator(kinds);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                var feed = alsoTo is null ? ValueTask.CompletedTask : alsoTo(buffer.AsMemory(0, n), cancellationToken);
                calculator.Append(buffer, 0, n);
                await feed.ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return calculator.Finish();
    }

    private void HashOnThisThread(byte[] buffer, int offset, int count)
    {
        _sha256.AppendData(buffer, offset, count);
        if (_blake2bWanted)
        {
            Blake2.IncrementalHash.Update(ref _blake2b, buffer.AsSpan(offset, count));
        }
    }

    public void Dispose()
    {
        _sha256.Dispose();
        _md5?.Dispose();
    }
}
