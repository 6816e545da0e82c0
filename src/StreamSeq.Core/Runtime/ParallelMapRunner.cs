using System.Diagnostics;
using System.Threading.Channels;
using StreamSeq.Pipelines;

namespace StreamSeq.Runtime;

/// <summary>
/// Runs a stateless map on up to <c>parallelism</c> packets at once and emits results in input order: the
/// reader starts one task per packet into a bounded queue of tasks, the writer awaits them in order.
/// </summary>
internal sealed class ParallelMapRunner<TIn, TOut> : StageRunner
{
    private readonly Edge<TIn> _input;
    private readonly OutputPort<TOut> _output;
    private volatile MapStage<TIn, TOut>? _stage;

    public ParallelMapRunner(PlannedStage plan, RunScope scope) : base(plan, scope)
    {
        _input = (Edge<TIn>)CreateEdge(typeof(TIn), plan, Metrics);
        _output = new OutputPort<TOut>(plan.Id, Metrics);
        InitQueueDepth();
    }

    public override IReadOnlyList<IEdge> Inputs => [_input];

    public override void ConnectOutput(IEdge edge) => _output.Connect(edge);

    private readonly record struct Result(Packet<TOut> Output, Exception? Error, long Sequence, string Stream);

    public override async Task RunAsync()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Scope.Abort);
        var inFlight = Channel.CreateBounded<Task<Result>>(new BoundedChannelOptions(Plan.Definition.Parallelism)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
        try
        {
            _stage = await StartInstanceAsync<MapStage<TIn, TOut>>().ConfigureAwait(false);
            if (_stage is null)
            {
                return;
            }
            var reading = ReadAsync(inFlight.Writer, stop.Token);
            try
            {
                await WriteAsync(inFlight.Reader, stop).ConfigureAwait(false);
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
            if (_stage is not null)
            {
                await StopInstanceAsync(_stage).ConfigureAwait(false);
            }
            _output.Complete();
            AbandonInputs();
        }
    }

    private async Task ReadAsync(ChannelWriter<Task<Result>> inFlight, CancellationToken stop)
    {
        try
        {
            var reader = _input.Reader;
            while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (reader.TryRead(out var packet))
                {
                    Metrics.CountIn();
                    var task = Task.Run(() => Compute(packet));
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

    private Result Compute(Packet<TIn> packet)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var output = packet.Derive(_stage!.Map(packet));
            packet.Release();
            StreamSeqInstruments.RecordLatency(Metrics, started);
            return new Result(output, null, packet.Sequence, packet.StreamId);
        }
        catch (Exception e)
        {
            packet.Release(AckOutcome.Failed);
            return new Result(default, e, packet.Sequence, packet.StreamId);
        }
    }

    private async Task WriteAsync(ChannelReader<Task<Result>> inFlight, CancellationTokenSource stop)
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
                var decision = Decide(result.Error, $"processing packet {result.Stream}#{result.Sequence}");
                if (decision == FailureDecision.Stop)
                {
                    return;
                }
                if (decision == FailureDecision.Restart)
                {
                    // Stateless: tasks already running keep the old instance; new ones get the new one.
                    var failed = _stage!;
                    _stage = await RestartAsync(failed).ConfigureAwait(false);
                    if (_stage is null)
                    {
                        return;
                    }
                }
            }
        }
    }
}
