using System.Runtime.CompilerServices;

namespace StreamSeq.Nats;

/// <summary>
/// Which JetStream message a packet descends from: the stream, its sequence there (stable across
/// redeliveries), the subject and the delivery attempt. <c>nats.sink</c> builds the results' message id from
/// it, so a result computed twice (a crashed worker, a lost ack) is stored once.
/// </summary>
/// <param name="Stream">The JetStream stream the work message is stored in.</param>
/// <param name="StreamSequence">Its sequence in that stream.</param>
/// <param name="Subject">The subject it was published to.</param>
/// <param name="Delivery">Which delivery this is (1 for the first).</param>
public sealed record NatsOrigin(string Stream, ulong StreamSequence, string Subject, ulong Delivery)
{
    // The origin travels with the packet's acknowledgement: every packet computed from a NATS message carries
    // a share of that message's AckToken, whatever its payload type, so no stage in between needs to know.
    private static readonly ConditionalWeakTable<AckToken, NatsOrigin> ByAck = new();

    /// <summary>The deterministic id of the work message: <c>STREAM:SEQUENCE</c>.</summary>
    public string Id => $"{Stream}:{StreamSequence}";

    /// <summary>Records that packets holding <paramref name="ack"/> descend from this message.</summary>
    public void Attach(AckToken ack) => ByAck.AddOrUpdate(ack, this);

    /// <summary>The NATS message a packet descends from, or null (not from <c>nats.source</c>, or an aggregate of several).</summary>
    public static NatsOrigin? Of<T>(in Packet<T> packet)
        => packet.Ack is { } ack && ByAck.TryGetValue(ack, out var origin) ? origin : null;

    /// <inheritdoc />
    public override string ToString() => Id;
}
