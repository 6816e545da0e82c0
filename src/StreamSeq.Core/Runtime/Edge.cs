using System.Runtime.CompilerServices;
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

    /// <summary>Whether the consumer closed the edge (it stopped, failed or has all it needs).</summary>
    public abstract bool IsClosed { get; }
}

/// <summary>
/// One bounded channel between a producer and one consumer port. A packet the channel drops (full-mode) or
/// still holds when the consumer goes away is released here, so its payload is disposed and its
/// acknowledgement learns it was dropped.
/// </summary>
/// <remarks>
/// Under <c>wait</c>, a producer that finds the edge full sleeps until the consumer has drained it to half
/// its capacity, not until one slot frees. With the channel's own blocking write, a saturated pipeline
/// hands the producer a thread-pool wake-up for every packet the consumer takes; with this hysteresis it
/// gets one per half-capacity batch. Capacity and back-pressure are unchanged.
/// </remarks>
internal sealed class Edge<T> : EdgeWriter<T>, IEdge
{
    private readonly Channel<Packet<T>> _channel;
    private readonly ChannelWriter<Packet<T>> _writer;
    private readonly ChannelReader<Packet<T>> _rawReader;
    private readonly StageMetrics _consumer;
    private readonly bool _waitWhenFull;
    private readonly int _wakeAfterReads;
    private TaskCompletionSource? _roomWaiter;
    private volatile bool _closed;

    // Consumer-side only: the waiter last seen and the reads since, so no read pays for the channel's lock
    // a second time to learn the depth.
    private TaskCompletionSource? _seenWaiter;
    private int _readsSinceSeen;

    public Edge(int capacity, FullMode fullMode, StageMetrics consumer)
    {
        _consumer = consumer;
        _waitWhenFull = fullMode == FullMode.Wait;
        _wakeAfterReads = Math.Max(1, capacity - capacity / 2);
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
        _rawReader = _channel.Reader;
        Reader = new EdgeReader(this, _channel.Reader);
    }

    public Type PayloadType => typeof(T);

    /// <summary>The consumer's side: every read may wake a producer waiting for room.</summary>
    public ChannelReader<Packet<T>> Reader { get; }

    /// <summary>
    /// Reads one packet, as <see cref="Reader"/> does, without its virtual hop: for the single-input loops,
    /// where the read is most of the per-packet cost.
    /// </summary>
    public bool TryRead(out Packet<T> packet)
    {
        if (_rawReader.TryRead(out packet))
        {
            OnRead();
            return true;
        }
        return false;
    }

    public int Count => _channel.Reader.Count;

    public override bool TryWrite(in Packet<T> packet) => _writer.TryWrite(packet);

    // The token is deliberately not passed on: registering one costs more than a fast stage's work on every
    // wait, and an abort closes every edge (Abandon), which ends pending writes and reads anyway.
    public override ValueTask WriteAsync(Packet<T> packet, CancellationToken cancellationToken)
        => _waitWhenFull ? WaitForRoomAndWriteAsync(packet) : _writer.WriteAsync(packet, CancellationToken.None);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WaitForRoomAndWriteAsync(Packet<T> packet)
    {
        while (!_writer.TryWrite(packet))
        {
            if (_closed)
            {
                throw new ChannelClosedException();
            }
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _roomWaiter, waiter);
            // Look again after publishing the waiter: the consumer may have drained the edge in between.
            if (_writer.TryWrite(packet))
            {
                Interlocked.CompareExchange(ref _roomWaiter, null, waiter);
                return;
            }
            if (_closed)
            {
                Interlocked.CompareExchange(ref _roomWaiter, null, waiter);
                throw new ChannelClosedException();
            }
            await waiter.Task.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Called after each read: wakes a waiting producer once half the capacity was read since it began to
    /// wait. A waiter that stays published found the edge full after publishing, so counting from the first
    /// read that sees it never wakes it late.
    /// </summary>
    private void OnRead()
    {
        var waiter = Volatile.Read(ref _roomWaiter);
        if (waiter is null)
        {
            return;
        }
        if (!ReferenceEquals(waiter, _seenWaiter))
        {
            _seenWaiter = waiter;
            _readsSinceSeen = 0;
        }
        if (++_readsSinceSeen >= _wakeAfterReads)
        {
            WakeProducer(waiter);
        }
    }

    /// <summary>Called when the consumer is about to wait for packets: a producer waiting for room must not wait too.</summary>
    private void OnIdle() => WakeProducer(Volatile.Read(ref _roomWaiter));

    private void WakeProducer(TaskCompletionSource? waiter)
    {
        if (waiter is not null && Interlocked.CompareExchange(ref _roomWaiter, null, waiter) == waiter)
        {
            waiter.TrySetResult();
        }
    }

    public override void Complete() => _writer.TryComplete();

    public override bool IsClosed => _closed;

    public int Abandon()
    {
        _closed = true;
        _channel.Writer.TryComplete();
        WakeProducer(Volatile.Read(ref _roomWaiter));
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

    /// <summary>The channel's reader, plus the producer wake-up after each read.</summary>
    private sealed class EdgeReader : ChannelReader<Packet<T>>
    {
        private readonly Edge<T> _edge;
        private readonly ChannelReader<Packet<T>> _inner;

        public EdgeReader(Edge<T> edge, ChannelReader<Packet<T>> inner)
        {
            _edge = edge;
            _inner = inner;
        }

        public override Task Completion => _inner.Completion;

        public override bool CanCount => true;

        public override int Count => _inner.Count;

        public override bool CanPeek => _inner.CanPeek;

        public override bool TryPeek([System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Packet<T> item) => _inner.TryPeek(out item);

        public override bool TryRead([System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Packet<T> item)
        {
            if (_inner.TryRead(out item))
            {
                _edge.OnRead();
                return true;
            }
            return false;
        }

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
        {
            var ready = _inner.WaitToReadAsync(cancellationToken);
            if (!ready.IsCompleted)
            {
                _edge.OnIdle();
            }
            return ready;
        }
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

    public override bool IsClosed => _edge.IsClosed;
}
