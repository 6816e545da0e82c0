namespace StreamSeq;

/// <summary>
/// The output port of a stage. Every emit awaits room downstream (or drops, per the edge's full-mode), so a
/// stage that awaits its emits is back-pressured by its consumers.
/// </summary>
/// <typeparam name="T">The payload type of the port.</typeparam>
public abstract class Emitter<T>
{
    /// <summary>
    /// Emits a payload computed from the packet the stage is processing now: it inherits that packet's
    /// originating time, sequence, stream id and acknowledgement.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called outside the processing of an input packet.</exception>
    public abstract ValueTask EmitAsync(T payload, CancellationToken cancellationToken = default);

    /// <summary>Emits a new packet on this stage's own stream (sources, windows, joins).</summary>
    /// <param name="payload">The payload; a disposable payload is owned by the engine from here on.</param>
    /// <param name="originatingTime">The capture time of the sample (UTC).</param>
    /// <param name="ack">An acknowledgement whose share moves to the packet, for durable sources.</param>
    /// <param name="cancellationToken">
    /// The stage's own cancellation. A wait for room downstream ends when the consumer makes room or the run
    /// aborts (edges close), not on this token: a draining source still gets its last packet in.
    /// </param>
    public abstract ValueTask EmitAsync(T payload, DateTime originatingTime, AckToken? ack = null, CancellationToken cancellationToken = default);

    /// <summary>Forwards a packet the caller owns one share of; that share moves downstream.</summary>
    public abstract ValueTask ForwardAsync(Packet<T> packet, CancellationToken cancellationToken = default);
}
