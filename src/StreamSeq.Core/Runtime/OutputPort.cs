using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace StreamSeq.Runtime;

/// <summary>
/// The engine's <see cref="Emitter{T}"/>: stamps packets and fans them out to every consumer edge, adding
/// one lease share per extra consumer. Used by one stage loop at a time (not thread-safe).
/// </summary>
internal sealed class OutputPort<T> : Emitter<T>
{
    private readonly StageMetrics _metrics;
    private readonly string _streamId;
    private EdgeWriter<T>[] _edges = [];
    private Edge<T>? _single;

    // The packet being processed, for outputs derived from it.
    private bool _hasCurrent;
    private DateTime _currentTime;
    private long _currentSequence;
    private string _currentStream = "";
    private Lease? _currentLease;

    public OutputPort(string streamId, StageMetrics metrics)
    {
        _streamId = streamId;
        _metrics = metrics;
    }

    public int ConsumerCount => _edges.Length;

    public void Connect(IEdge edge)
    {
        EdgeWriter<T> writer = edge is Edge<T> same
            ? same
            : (EdgeWriter<T>)Activator.CreateInstance(typeof(ConvertingWriter<,>).MakeGenericType(typeof(T), edge.PayloadType), edge)!;
        _edges = [.. _edges, writer];
        // The common case, one consumer of the same type, gets a direct (sealed, inlinable) call.
        _single = _edges.Length == 1 ? writer as Edge<T> : null;
    }

    public void SetCurrent<TIn>(in Packet<TIn> input)
    {
        _hasCurrent = true;
        _currentTime = input.OriginatingTime;
        _currentSequence = input.Sequence;
        _currentStream = input.StreamId;
        _currentLease = input.Lease;
    }

    public void ClearCurrent()
    {
        _hasCurrent = false;
        _currentLease = null;
    }

    public override ValueTask EmitAsync(T payload, CancellationToken cancellationToken = default)
    {
        if (!_hasCurrent)
        {
            throw new InvalidOperationException("EmitAsync(payload) derives from the packet being processed; a source or timer must give the originating time.");
        }
        Lease? lease;
        if (_currentLease is { Payload: { } owned } shared && !typeof(T).IsValueType && ReferenceEquals(owned, payload))
        {
            shared.Retain();
            lease = shared;
        }
        else
        {
            lease = Lease.Create(payload, _currentLease?.Ack?.Retain());
        }
        return ForwardAsync(new Packet<T>(payload, _currentTime, _currentSequence, _currentStream, lease), cancellationToken);
    }

    public override ValueTask EmitAsync(T payload, DateTime originatingTime, AckToken? ack = null, CancellationToken cancellationToken = default)
    {
        var packet = new Packet<T>(payload, originatingTime, _metrics.Hot.NextSequence++, _streamId, Lease.Create(payload, ack));
        return ForwardAsync(packet, cancellationToken);
    }

    public override ValueTask ForwardAsync(Packet<T> packet, CancellationToken cancellationToken = default)
    {
        if (_single is { } single && single.TryWrite(packet))
        {
            _metrics.CountOut();
            return ValueTask.CompletedTask;
        }
        var edges = _edges;
        if (edges.Length == 0)
        {
            _metrics.CountOut();
            packet.Release();
            return ValueTask.CompletedTask;
        }
        if (edges.Length > 1)
        {
            packet.Lease?.Retain(edges.Length - 1);
        }
        for (var i = 0; i < edges.Length; i++)
        {
            if (!edges[i].TryWrite(packet))
            {
                return WriteSlowAsync(packet, i, cancellationToken);
            }
        }
        // Counted once accepted: a packet whose wait was cancelled (a drain) never entered the pipeline.
        _metrics.CountOut();
        return ValueTask.CompletedTask;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteSlowAsync(Packet<T> packet, int from, CancellationToken cancellationToken)
    {
        var edges = _edges;
        for (var i = from; i < edges.Length; i++)
        {
            if (i > from && edges[i].TryWrite(packet))
            {
                continue;
            }
            try
            {
                await edges[i].WriteAsync(packet, cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                // The consumer stopped (failure, abort, or it has all it needs); its share is dropped, the
                // others still flow. When no consumer is left, the producing stage is told to stop.
                packet.Release(AckOutcome.Dropped);
                if (AllConsumersGone)
                {
                    ConsumersGone?.Invoke();
                }
            }
            catch (OperationCanceledException)
            {
                // Edges do not observe tokens today (an abort closes them instead); kept so a cancelled
                // write can never leak the shares it did not hand over.
                for (var j = i; j < edges.Length; j++)
                {
                    packet.Release(AckOutcome.Dropped);
                }
                throw;
            }
        }
        _metrics.CountOut();
    }

    /// <summary>Whether every consumer closed its edge: nothing emitted here would be read.</summary>
    public bool AllConsumersGone => _edges.Length > 0 && _edges.All(e => e.IsClosed);

    /// <summary>Called (possibly more than once) when a write finds that no consumer is left.</summary>
    public Action? ConsumersGone { get; set; }

    public void Complete()
    {
        foreach (var edge in _edges)
        {
            edge.Complete();
        }
    }
}
