using System.Threading.Channels;
using StreamSeq.Pipelines;

namespace StreamSeq.Runtime;

/// <summary>
/// Runs a stateless map on up to <c>parallelism</c> packets at once and emits results in input order: the
/// reader starts one task per packet into a bounded queue of tasks, the writer awaits them in order.
/// </summary>
/// <remarks>
/// A restart must not pull an instance out from under tasks still running on it (a model disposed mid-call).
/// Each task holds the instance it started with; a replaced instance is stopped when its last task ends, and
/// failures of a replaced instance are counted without deciding another restart.
/// </remarks>
internal sealed class ParallelMapRunner<TIn, TOut> : StageRunner
{
    private readonly OutputPort<TOut> _output;
    private volatile Instance? _current;
    private int _generations;

    public ParallelMapRunner(PlannedStage plan, RunScope scope) : base(plan, scope)
    {
        Input = (Edge<TIn>)CreateEdge(typeof(TIn), plan, Metrics);
        _output = new OutputPort<TOut>(plan.Id, Metrics) { ConsumersGone = OnConsumersGone };
        InitQueueDepth();
    }

    private Edge<TIn> Input { get; }

    public override IReadOnlyList<IEdge> Inputs => [Input];

    public override void ConnectOutput(IEdge edge) => _output.Connect(edge);

    private readonly record struct Result(Packet<TOut> Output, Exception? Error, long Sequence, string Stream, int Generation);

    /// <summary>A started stage instance and the tasks using it.</summary>
    private sealed class Instance(MapStage<TIn, TOut> stage, int generation)
    {
        private int _users = 1; // the runner's own hold, given up when the instance is replaced or the run ends
        private readonly TaskCompletionSource _unused = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public MapStage<TIn, TOut> Stage { get; } = stage;

        public int Generation { get; } = generation;

        /// <summary>Completes when the runner let go and no task uses the instance any more.</summary>
        public Task Unused => _unused.Task;

        /// <summary>Takes a use unless the instance is already unused for good (retired, its last task ended).</summary>
        public bool TryEnter()
        {
            var users = Volatile.Read(ref _users);
            while (users > 0)
            {
                var seen = Interlocked.CompareExchange(ref _users, users + 1, users);
                if (seen == users)
                {
                    return true;
                }
                users = seen;
            }
            return false;
        }

        public void Leave()
        {
            if (Interlocked.Decrement(ref _users) == 0)
            {
                _unused.TrySetResult();
            }
        }
    }

    public override async Task RunAsync()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(OutputUnwanted);
        var inFlight = Channel.CreateBounded<Task<Result>>(new BoundedChannelOptions(Plan.Definition.Parallelism)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
        var retired = new List<Task>();
        try
        {
            var first = await StartInstanceAsync<MapStage<TIn, TOut>>().ConfigureAwait(false);
            if (first is null)
            {
                return;
            }
            _current = new Instance(first, ++_generations);
            var reading = ReadAsync(inFlight.Writer, stop.Token);
            try
            {
                await WriteAsync(inFlight.Reader, retired).ConfigureAwait(false);
            }
            finally
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await reading.ConfigureAwait(false);
                // Results computed but never emitted (stop or abort) still hold shares.
                while (inFlight.Reader.TryRead(out var task))
                {
                    var result = await task.ConfigureAwait(false);
                    if (result.Error is null)
                    {
                        result.Output.Release(AckOutcome.Dropped);
                    }
                }
            }
        }
        catch (Exception e) when (Scope.IsAborting(e))
        {
        }
        catch (Exception e)
        {
            Fail(e, "emitting");
        }
        finally
        {
            if (_current is { } last)
            {
                retired.Add(RetireAsync(last));
                _current = null;
            }
            await Task.WhenAll(retired).ConfigureAwait(false);
            _output.Complete();
            AbandonInputs();
        }
    }

    /// <summary>Gives up the runner's hold on an instance and stops it once its last task ended.</summary>
    private async Task RetireAsync(Instance instance)
    {
        instance.Leave();
        await instance.Unused.ConfigureAwait(false);
        await StopInstanceAsync(instance.Stage).ConfigureAwait(false);
    }

    private async Task ReadAsync(ChannelWriter<Task<Result>> inFlight, CancellationToken stop)
    {
        try
        {
            var reader = Input.Reader;
            while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (reader.TryRead(out var packet))
                {
                    Metrics.CountIn();
                    // The instance read may be retired between the read and the use: take it only while alive.
                    Instance? instance;
                    while ((instance = _current) is not null && !instance.TryEnter())
                    {
                    }
                    if (instance is null)
                    {
                        packet.Release(AckOutcome.Dropped);
                        continue;
                    }
                    var task = Task.Run(() => Compute(instance, packet));
                    try
                    {
                        await inFlight.WriteAsync(task, stop).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        var orphan = await task.ConfigureAwait(false);
                        if (orphan.Error is null)
                        {
                            orphan.Output.Release(AckOutcome.Dropped);
                        }
                        throw;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            inFlight.TryComplete();
        }
    }

    private Result Compute(Instance instance, Packet<TIn> packet)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var output = packet.Derive(instance.Stage.Map(packet));
            packet.Release();
            StreamSeqInstruments.RecordLatency(Metrics, started);
            return new Result(output, null, packet.Sequence, packet.StreamId, instance.Generation);
        }
        catch (Exception e)
        {
            packet.Release(AckOutcome.Failed);
            return new Result(default, e, packet.Sequence, packet.StreamId, instance.Generation);
        }
        finally
        {
            instance.Leave();
        }
    }

    private async Task WriteAsync(ChannelReader<Task<Result>> inFlight, List<Task> retired)
    {
        while (await inFlight.WaitToReadAsync(Scope.Abort).ConfigureAwait(false))
        {
            while (inFlight.TryRead(out var task))
            {
                var result = await task.ConfigureAwait(false);
                if (result.Error is null)
                {
                    Supervisor.Succeeded();
                    await _output.ForwardAsync(result.Output, Scope.Abort).ConfigureAwait(false);
                    continue;
                }
                Metrics.CountFailed();
                var current = _current;
                if (current is null || result.Generation != current.Generation)
                {
                    // Started on an instance already replaced: that failure was acted on.
                    continue;
                }
                var decision = Decide(result.Error, $"processing packet {result.Stream}#{result.Sequence}");
                if (decision == FailureDecision.Stop)
                {
                    return;
                }
                if (decision == FailureDecision.Restart)
                {
                    // Tasks queued meanwhile keep using the old instance, which stays alive until they end.
                    var replacement = await ReplaceAsync().ConfigureAwait(false);
                    // The new instance is published before the old is let go, so a reader never finds neither.
                    _current = replacement is null ? null : new Instance(replacement, ++_generations);
                    retired.Add(RetireAsync(current));
                    if (replacement is null)
                    {
                        return;
                    }
                }
            }
        }
    }

    private async Task<MapStage<TIn, TOut>?> ReplaceAsync()
        => await BackoffAsync(FailureDecision.Restart, Scope.Abort).ConfigureAwait(false)
            ? await StartInstanceAsync<MapStage<TIn, TOut>>().ConfigureAwait(false)
            : null;
}
