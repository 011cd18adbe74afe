namespace Clutch.Packaging;

/// <summary>The digests an index publishes for a file, lower-case hex.</summary>
public sealed record FileDigests(string Sha256, string Md5, string Blake2b256, long Size);

/// <summary>Computes sha256, md5 and blake2b-256 in one pass over a stream.</summary>
public sealed class DigestCalculator : IDisposable
{
    /// <summary>Feeds bytes to every hash.</summary>
    public void Append(ReadOnlySpan<byte> data) => throw new NotImplementedException();

    /// <summary>Finishes and returns the digests of everything appended.</summary>
    public FileDigests Finish() => throw new NotImplementedException();

    /// <summary>Reads the stream to its end and returns its digests.</summary>
    public static ValueTask<FileDigests> ComputeAsync(Stream stream, CancellationToken cancellationToken)
        => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
