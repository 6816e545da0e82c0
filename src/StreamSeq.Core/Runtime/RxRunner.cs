using System.Reactive.Subjects;
using System.Threading.Channels;
using StreamSeq.Pipelines;

namespace StreamSeq.Runtime;

/// <summary>
/// Runs an Rx stage behind a bounded bridge. Inputs are pushed into the query one at a time; the query's
/// output (synchronous or from timers) goes to an outbox that a pump forwards downstream. Reading stops
/// while the outbox holds <c>capacity</c> packets, so a slow consumer slows the inputs instead of
/// growing memory. A failed query is rebuilt under skip/restart; what it held is released by disposing it.
/// </summary>
internal sealed class RxRunner<TIn, TOut> : StageRunner
{
    private readonly Edge<TIn>[] _inputs;
    private readonly OutputPort<TOut> _output;

    public RxRunner(PlannedStage plan, RunScope scope) : base(plan, scope)
    {
        _inputs = plan.Inputs.Select(_ => (Edge<TIn>)CreateEdge(typeof(TIn), plan, Metrics)).ToArray();
        _output = new OutputPort<TOut>(plan.Id, Metrics);
        InitQueueDepth();
    }

    public override IReadOnlyList<IEdge> Inputs => _inputs;

    public override void ConnectOutput(IEdge edge) => _output.Connect(edge);

    public override async Task RunAsync()
    {
        RxStage<TIn, TOut>? stage = null;
        try
        {
            stage = await StartInstanceAsync<RxStage<TIn, TOut>>().ConfigureAwait(false);
            while (stage is not null)
            {
                var error = await RunQueryAsync(stage).ConfigureAwait(false);
                if (error is null)
                {
                    break;
                }
                Metrics.CountFailed();
                if (Decide(error, "running its query") == FailureDecision.Stop)
                {
                    break;
                }
                var failed = stage;
                stage = null;
                stage = await RestartAsync(failed).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (Scope.IsAborting(e))
        {
        }
        catch (Exception e)
        {
            Fail(e, "running its query");
        }
        finally
        {
            if (stage is not null)
            {
                await StopInstanceAsync(stage).ConfigureAwait(false);
            }
            _output.Complete();
            AbandonInputs();
        }
    }

    /// <summary>Runs one query until the inputs complete (null) or it fails (the error).</summary>
    private async Task<Exception?> RunQueryAsync(RxStage<TIn, TOut> stage)
    {
        var outbox = Channel.CreateUnbounded<Packet<TOut>>();
        var room = new AsyncSignal();
        var capacity = Plan.Definition.Capacity;
        var subjects = _inputs.Select(_ => new Subject<Packet<TIn>>()).ToArray();
        var gate = new object();
        Exception? failure = null;
        using var stopFeeding = CancellationTokenSource.CreateLinkedTokenSource(Scope.Abort);

        IDisposable subscription;
        try
        {
            subscription = stage.Build(subjects, Scope.Scheduler).Subscribe(
                packet =>
                {
                    if (!outbox.Writer.TryWrite(packet))
                    {
                        packet.Release(AckOutcome.Dropped);
                    }
                },
                error =>
                {
                    failure = error;
                    outbox.Writer.TryComplete();
                    stopFeeding.Cancel();
                },
                () => outbox.Writer.TryComplete());
        }
        catch (Exception e)
        {
            return e;
        }

        var pump = PumpAsync(outbox.Reader, room);
        try
        {
            var feeders = _inputs.Select((edge, i) => FeedAsync(edge, subjects[i], gate, outbox.Reader, room, capacity, stopFeeding.Token)).ToArray();
            await Task.WhenAll(feeders).ConfigureAwait(false);
            if (Volatile.Read(ref failure) is null && !Scope.Abort.IsCancellationRequested)
            {
                lock (gate)
                {
                    foreach (var subject in subjects)
                    {
                        subject.OnCompleted();
                    }
                }
            }
            outbox.Writer.TryComplete();
            await pump.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException && Volatile.Read(ref failure) is not null)
        {
        }
        finally
        {
            outbox.Writer.TryComplete();
            subscription.Dispose();
            while (outbox.Reader.TryRead(out var left))
            {
                left.Release(AckOutcome.Dropped);
            }
            await pump.ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
        return Volatile.Read(ref failure);
    }

    private async Task FeedAsync(Edge<TIn> edge, Subject<Packet<TIn>> subject, object gate, ChannelReader<Packet<TOut>> outbox,
        AsyncSignal room, int capacity, CancellationToken stop)
    {
        var reader = edge.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (true)
                {
                    // Take the signal before looking, so a pulse between the look and the wait is not lost.
                    var pulse = room.WaitAsync(stop);
                    if (outbox.Count < capacity)
                    {
                        break;
                    }
                    await pulse.ConfigureAwait(false);
                }
                if (!reader.TryRead(out var packet))
                {
                    continue;
                }
                Metrics.CountIn();
                var started = LatencySampler.Start(Metrics);
                try
                {
                    lock (gate)
                    {
                        subject.OnNext(packet);
                    }
                    LatencySampler.Stop(Metrics, started);
                }
                finally
                {
                    packet.Release();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task PumpAsync(ChannelReader<Packet<TOut>> outbox, AsyncSignal room)
    {
        while (await outbox.WaitToReadAsync(Scope.Abort).ConfigureAwait(false))
        {
            while (outbox.TryRead(out var packet))
            {
                room.Pulse();
                await _output.ForwardAsync(packet, Scope.Abort).ConfigureAwait(false);
                Supervisor.Succeeded();
            }
        }
    }
}
