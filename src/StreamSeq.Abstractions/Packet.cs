namespace StreamSeq;

/// <summary>
/// One message on a stream: a payload stamped with the originating time of the source sample it descends
/// from (media time, not arrival time), the sequence number of that source sample and the id of the stream
/// that produced it. Joins and windows use <see cref="OriginatingTime"/>, never arrival order.
/// </summary>
/// <typeparam name="T">The payload type.</typeparam>
public readonly struct Packet<T>
{
    /// <summary>Creates a packet.</summary>
    public Packet(T payload, DateTime originatingTime, long sequence, string streamId, Lease? lease = null)
    {
        Payload = payload;
        OriginatingTime = originatingTime;
        Sequence = sequence;
        StreamId = streamId;
        Lease = lease;
    }

    /// <summary>The payload. Valid while the holder owns a share of the packet.</summary>
    public T Payload { get; }

    /// <summary>The time the source sample was captured (UTC), carried unchanged through transforms.</summary>
    public DateTime OriginatingTime { get; }

    /// <summary>The sequence number of the source sample within <see cref="StreamId"/>.</summary>
    public long Sequence { get; }

    /// <summary>The id of the stream (normally the source stage id) the packet descends from.</summary>
    public string StreamId { get; }

    /// <summary>Shared ownership of the payload and acknowledgement; null for plain data.</summary>
    public Lease? Lease { get; }

    /// <summary>The acknowledgement the packet carries a share of, if any.</summary>
    public AckToken? Ack => Lease?.Ack;

    /// <summary>Takes one more share, to keep the packet beyond the call that handed it over.</summary>
    public Packet<T> Retain()
    {
        Lease?.Retain();
        return this;
    }

    /// <summary>Releases one share taken with <see cref="Retain"/>.</summary>
    public void Release(AckOutcome outcome = AckOutcome.Completed) => Lease?.Release(outcome);

    /// <summary>
    /// Makes the packet that carries <paramref name="payload"/> computed from this one: same originating
    /// time, sequence and stream, one share of the acknowledgement. When the payload is this packet's own
    /// payload object, the lease is shared instead (one more share), so the payload is disposed once.
    /// The caller owns one share of the result.
    /// </summary>
    public Packet<TOut> Derive<TOut>(TOut payload)
    {
        Lease? lease;
        if (Lease is { Payload: { } owned } own && !typeof(TOut).IsValueType && ReferenceEquals(owned, payload))
        {
            own.Retain();
            lease = own;
        }
        else
        {
            lease = StreamSeq.Lease.Create(payload, Lease?.Ack?.Retain());
        }
        return new Packet<TOut>(payload, OriginatingTime, Sequence, StreamId, lease);
    }

    /// <summary>The same packet seen through a wider payload type (a share moves, none is added).</summary>
    public Packet<TOut> As<TOut>() => new((TOut)(object)Payload!, OriginatingTime, Sequence, StreamId, Lease);

    /// <inheritdoc />
    public override string ToString() => $"{StreamId}#{Sequence}@{OriginatingTime:O}: {Payload}";
}
