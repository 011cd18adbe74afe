using Amazon.S3.Model;

namespace Clutch.Storage.S3;

/// <summary>
/// The body of a GET as it arrives from S3, read-only. It can seek, so that an HTTP Range request
/// can be answered: the read after a seek ends the current response and asks S3 for the object from
/// the new position on (a ranged GET of the same ETag, so a blob deleted and stored again in between
/// cannot be mixed into the answer). Disposing it ends the response.
/// </summary>
internal sealed class S3ReadStream : Stream
{
    private readonly Func<long, string, CancellationToken, Task<GetObjectResponse>> _openFrom;
    private readonly string _etag;
    private GetObjectResponse? _response;
    private long _position;

    /// <summary>Where the current response's body is (its next byte); differs from the position only after a seek.</summary>
    private long _bodyPosition;

    /// <param name="response">The answer to a GET of the whole object.</param>
    /// <param name="openFrom">A GET from an offset to the end, conditional on the ETag given.</param>
    public S3ReadStream(GetObjectResponse response, Func<long, string, CancellationToken, Task<GetObjectResponse>> openFrom)
    {
        _response = response;
        _openFrom = openFrom;
        _etag = response.ETag;
        Length = response.ContentLength;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length { get; }

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= Length || buffer.IsEmpty)
        {
            return 0;
        }

        if (_response is null || _bodyPosition != _position)
        {
            ReopenAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        return Advance(_response!.ResponseStream.Read(buffer));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= Length || buffer.IsEmpty)
        {
            return 0;
        }

        if (_response is null || _bodyPosition != _position)
        {
            await ReopenAsync(cancellationToken);
        }

        return Advance(await _response!.ResponseStream.ReadAsync(buffer, cancellationToken));
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        _position = target;
        return target;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _response?.Dispose();
            _response = null;
        }

        base.Dispose(disposing);
    }

    private async Task ReopenAsync(CancellationToken cancellationToken)
    {
        _response?.Dispose();
        _response = null;
        _response = await _openFrom(_position, _etag, cancellationToken);
        _bodyPosition = _position;
    }

    private int Advance(int read)
    {
        if (read == 0 && _position < Length)
        {
            throw new IOException($"The S3 object ended at byte {_position} of {Length}.");
        }

        _position += read;
        _bodyPosition += read;
        return read;
    }
}
