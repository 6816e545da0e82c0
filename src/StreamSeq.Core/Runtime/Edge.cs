using System.Threading.Channels;
using StreamSeq.Pipelines;

namespace StreamSeq.Runtime;

/// <summary>An edge seen without its payload type: what the pipeline needs to wire and tear down.</summary>
internal interface IEdge
{
    Type PayloadType { get; }

    int Count { get; }

    /// <summary>Closes the edge from the consumer's side and releases what it still holds; returns how many.</summary>
    int Abandon();
}

/// <summary>
/// The producer's side of an edge for payloads of type <typeparamref name="T"/>. An abstract class rather than
/// an interface: a virtual call is cheaper than interface dispatch on the per-packet path.
/// </summary>
internal abstract class EdgeWriter<T>
{
    public abstract bool TryWrite(in Packet<T> packet);

    public abstract ValueTask WriteAsync(Packet<T> packet, CancellationToken cancellationToken);

    public abstract void Complete();
}

/// <summary>
/// One bounded channel between a producer and one consumer port. A packet the channel drops (full-mode) or
/// still holds when the consumer goes away is released here, so its payload is disposed and its
/// acknowledgement learns it was dropped.
/// </summary>
internal sealed class Edge<T> : EdgeWriter<T>, IEdge
{
    private readonly Channel<Packet<T>> _channel;
    private readonly ChannelWriter<Packet<T>> _writer;
    private readonly StageMetrics _consumer;

    public Edge(int capacity, FullMode fullMode, StageMetrics consumer)
    {
        _consumer = consumer;
        var options = new BoundedChannelOptions(capacity)
        {
            FullMode = fullMode switch
            {
                FullMode.DropOldest => BoundedChannelFullMode.DropOldest,
                FullMode.DropNewest => BoundedChannelFullMode.DropWrite,
                _ => BoundedChannelFullMode.Wait,
            },
            SingleReader = true,
            SingleWriter = true,
        };
        _channel = Channel.CreateBounded<Packet<T>>(options, OnDropped);
        _writer = _channel.Writer;
    }

    public Type PayloadType => typeof(T);

    public ChannelReader<Packet<T>> Reader => _channel.Reader;

    public int Count => _channel.Reader.Count;

    public override bool TryWrite(in Packet<T> packet) => _writer.TryWrite(packet);

    // The token is deliberately not passed on: registering one costs more than a fast stage's work on every
    // wait, and an abort closes every edge (Abandon), which ends pending writes and reads anyway.
    public override ValueTask WriteAsync(Packet<T> packet, CancellationToken cancellationToken) => _writer.WriteAsync(packet, CancellationToken.None);

    public override void Complete() => _writer.TryComplete();

    public int Abandon()
    {
        _channel.Writer.TryComplete();
        var count = 0;
        while (_channel.Reader.TryRead(out var packet))
        {
            packet.Release(AckOutcome.Dropped);
            count++;
        }
        if (count > 0)
        {
            _consumer.CountAbandoned(count);
        }
        return count;
    }

    private void OnDropped(Packet<T> packet)
    {
        _consumer.CountDropped();
        packet.Release(AckOutcome.Dropped);
    }
}

/// <summary>Writes packets of a narrower payload type into an edge of a wider one (double into any).</summary>
internal sealed class ConvertingWriter<TFrom, TTo> : EdgeWriter<TFrom>
{
    private readonly Edge<TTo> _edge;

    public ConvertingWriter(Edge<TTo> edge) => _edge = edge;

    public override bool TryWrite(in Packet<TFrom> packet) => _edge.TryWrite(packet.As<TTo>());

    public override ValueTask WriteAsync(Packet<TFrom> packet, CancellationToken cancellationToken) => _edge.WriteAsync(packet.As<TTo>(), cancellationToken);

    public override void Complete() => _edge.Complete();
}
