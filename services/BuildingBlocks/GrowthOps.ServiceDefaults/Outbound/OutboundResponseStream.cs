namespace GrowthOps.ServiceDefaults.Outbound;

/// <summary>
/// A response body read under the exchange's caps: at most <c>maxBytes</c> (never more than one byte past them is taken from
/// the network) and before the deadline that started with the request. It owns the deadline and the original content.
/// </summary>
sealed class OutboundResponseStream : Stream
{
    readonly Stream _inner;
    readonly HttpContent _original;
    readonly CancellationTokenSource _deadline;
    readonly CancellationTokenRegistration _abortOnDeadline;
    readonly long _maxBytes;
    readonly Func<Exception> _timedOut;
    long _read;

    public OutboundResponseStream(Stream inner, HttpContent original, CancellationTokenSource deadline, long maxBytes, Func<Exception> timedOut)
    {
        _inner = inner;
        _original = original;
        _deadline = deadline;
        _maxBytes = maxBytes;
        _timedOut = timedOut;
        // Synchronous reads take no token: closing the body is what stops one that is blocked on a slow server.
        _abortOnDeadline = deadline.Token.Register(static s => ((Stream)s!).Dispose(), inner);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return Counted(_inner.Read(buffer[..Allowed(buffer.Length)]));
        }
        catch (Exception e) when (_deadline.IsCancellationRequested && e is not OutboundRequestRefusedException)
        {
            throw _timedOut();
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _deadline.Token) : null;
        try
        {
            return Counted(await _inner.ReadAsync(buffer[..Allowed(buffer.Length)], linked?.Token ?? _deadline.Token));
        }
        catch (Exception e) when (_deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested &&
                                  e is not OutboundRequestRefusedException)
        {
            throw _timedOut();
        }
    }

    /// <summary>One byte more than the cap leaves is enough to tell that the body is too long.</summary>
    int Allowed(int wanted) => (int)Math.Min(wanted, _maxBytes - _read + 1);

    int Counted(int read)
    {
        _read += read;
        if (_read > _maxBytes)
            throw new OutboundRequestRefusedException($"The response body is longer than the limit of {_maxBytes} bytes.");
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _abortOnDeadline.Dispose();
            _inner.Dispose();
            _original.Dispose();
            _deadline.Dispose();
        }

        base.Dispose(disposing);
    }
}
