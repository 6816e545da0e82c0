using Microsoft.Extensions.Logging;
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
        _output = new OutputPort<TOut>(plan.Id, Metrics) { ConsumersGone = OnConsumersGone };
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
        var query = new QueryState(OutputUnwanted);
        var subjects = _inputs.Select(_ => new Subject<Packet<TIn>>()).ToArray();
        IDisposable subscription;
        try
        {
            subscription = stage.Build(subjects, Scope.Scheduler).Subscribe(
                packet =>
                {
                    if (!query.Outbox.Writer.TryWrite(packet))
                    {
                        packet.Release(AckOutcome.Dropped);
                    }
                },
                query.Fail,
                query.Complete);
        }
        catch (Exception e)
        {
            return e;
        }

        var pump = PumpAsync(query.Outbox.Reader, query.Room);
        try
        {
            var feeders = _inputs.Select((edge, i) => FeedAsync(edge, subjects[i], query)).ToArray();
            await Task.WhenAll(feeders).ConfigureAwait(false);
            if (query.Failure is null && !Scope.Abort.IsCancellationRequested)
            {
                lock (query.Gate)
                {
                    foreach (var subject in subjects)
                    {
                        try
                        {
                            subject.OnCompleted();
                        }
                        catch (Exception e)
                        {
                            // Flushing at the end threw (an operator, not OnError): a failure under the policy.
                            query.Fail(e);
                        }
                    }
                }
                // Operators may still emit after their inputs end (timers, Delay, ObserveOn): wait for the
                // query's own end, within the abort grace, so its last packets are not cut off.
                if (!await query.Ended.WaitAsync(Scope.Options.AbortGrace, Scope.Abort).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default).ConfigureAwait(false)
                    && !Scope.Abort.IsCancellationRequested)
                {
                    Logger.LogWarning("Pipeline '{Pipeline}': the query of stage '{Stage}' did not complete within {Grace} after its inputs ended",
                        Scope.PipelineName, Plan.Id, Scope.Options.AbortGrace);
                }
            }
            query.Outbox.Writer.TryComplete();
            await pump.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException && query.Failure is not null)
        {
        }
        finally
        {
            query.Outbox.Writer.TryComplete();
            subscription.Dispose();
            while (query.Outbox.Reader.TryRead(out var left))
            {
                left.Release(AckOutcome.Dropped);
            }
            await pump.ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            query.Dispose();
        }
        return query.Failure;
    }

    /// <summary>What the feeders, the pump and the query's callbacks share for one run of a query.</summary>
    private sealed class QueryState : IDisposable
    {
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Exception? _failure;

        public QueryState(CancellationToken abort) => StopFeeding = CancellationTokenSource.CreateLinkedTokenSource(abort);

        public Channel<Packet<TOut>> Outbox { get; } = Channel.CreateUnbounded<Packet<TOut>>();

        public AsyncSignal Room { get; } = new();

        /// <summary>Serialises calls into the query: Rx requires one OnNext at a time.</summary>
        public object Gate { get; } = new();

        public CancellationTokenSource StopFeeding { get; }

        public Exception? Failure => Volatile.Read(ref _failure);

        public Task Ended => _ended.Task;

        /// <summary>The query failed (its OnError, or an exception thrown out of OnNext): stop feeding it.</summary>
        public void Fail(Exception error)
        {
            Interlocked.CompareExchange(ref _failure, error, null);
            Outbox.Writer.TryComplete();
            _ended.TrySetResult();
            try
            {
                StopFeeding.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void Complete() => _ended.TrySetResult();

        public void Dispose() => StopFeeding.Dispose();
    }

    private async Task FeedAsync(Edge<TIn> edge, Subject<Packet<TIn>> subject, QueryState query)
    {
        var reader = edge.Reader;
        var stop = query.StopFeeding.Token;
        var outbox = query.Outbox.Reader;
        var capacity = Plan.Definition.Capacity;
        var shared = _inputs.Length > 1;
        try
        {
            while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                // Back-pressure: no more input while the query's output waits for room downstream. The signal
                // is taken before looking, so a pulse between the look and the wait is not lost.
                while (outbox.Count >= capacity)
                {
                    var pulse = query.Room.WaitAsync(stop);
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
                if (shared)
                {
                    Metrics.CountInShared();
                }
                else
                {
                    Metrics.CountIn();
                }
                var started = LatencySampler.Start(Metrics);
                var outcome = AckOutcome.Completed;
                try
                {
                    lock (query.Gate)
                    {
                        subject.OnNext(packet);
                    }
                    LatencySampler.Stop(Metrics, started);
                }
                catch (Exception e)
                {
                    // An operator that throws instead of calling OnError: the same failure, handled by policy.
                    outcome = AckOutcome.Failed;
                    query.Fail(e);
                    return;
                }
                finally
                {
                    packet.Release(outcome);
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
