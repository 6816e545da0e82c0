using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using StreamSeq.Pipelines;

namespace StreamSeq.Runtime;

/// <summary>
/// The loop of stages with one input (transforms, maps, sinks). Packets are drained by a synchronous method
/// as long as each one completes synchronously; only a packet whose work or emit has to wait continues in
/// an async method. Per-packet state so stays on the stack instead of in an async state machine shared
/// across awaits, which matters when the work per packet is a few nanoseconds.
/// </summary>
internal abstract class SingleInputRunner<TIn> : StageRunner
{
    private readonly bool _countHandledAsOut;
    private volatile bool _stopped;

    protected SingleInputRunner(PlannedStage plan, RunScope scope, bool countHandledAsOut) : base(plan, scope)
    {
        Input = (Edge<TIn>)CreateEdge(typeof(TIn), plan, Metrics);
        _countHandledAsOut = countHandledAsOut;
        InitQueueDepth();
    }

    protected Edge<TIn> Input { get; }

    public override IReadOnlyList<IEdge> Inputs => [Input];

    /// <summary>Starts handling one packet; returns a pending task when the work has to wait. May throw.</summary>
    protected abstract ValueTask Handle(in Packet<TIn> packet);

    /// <summary>Undoes per-packet state after a failure (a current input, say).</summary>
    protected virtual void Reset()
    {
    }

    /// <summary>Replaces the failed stage instance; false when the stage gives up.</summary>
    protected abstract Task<bool> RestartStageAsync();

    /// <summary>Reads the input until it completes, the stage stops, or the run aborts.</summary>
    protected async Task PumpAsync()
    {
        var reader = Input.Reader;
        // No token: an abort closes the edge, which ends this wait (see Edge.WriteAsync).
        while (!_stopped && await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (!_stopped)
            {
                var pending = DrainAvailable();
                if (pending.IsCompletedSuccessfully)
                {
                    break;
                }
                await pending.ConfigureAwait(false);
            }
        }
    }

    /// <summary>Whether the stage stopped reading early: it failed (the pipeline then drains) or nobody reads its output.</summary>
    protected bool Stopped => _stopped;

    /// <summary>Stops reading once the current packet is done: every consumer of the output has gone.</summary>
    protected void StopReading() => _stopped = true;

    private ValueTask DrainAvailable()
    {
        var input = Input;
        while (!_stopped && input.TryRead(out var packet))
        {
            Metrics.CountIn();
            var started = LatencySampler.Start(Metrics);
            ValueTask pending;
            try
            {
                pending = Handle(packet);
            }
            catch (Exception e)
            {
                return FailAsync(packet, e);
            }
            if (!pending.IsCompletedSuccessfully)
            {
                return FinishAsync(packet, pending, started);
            }
            Done(packet, started);
        }
        return ValueTask.CompletedTask;
    }

    private void Done(in Packet<TIn> packet, long started)
    {
        if (_countHandledAsOut)
        {
            Metrics.CountOut();
        }
        packet.Release();
        LatencySampler.Stop(Metrics, started);
        Supervisor.Succeeded();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FinishAsync(Packet<TIn> packet, ValueTask pending, long started)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await FailAsync(packet, e).ConfigureAwait(false);
            return;
        }
        Done(packet, started);
    }

    private async ValueTask FailAsync(Packet<TIn> packet, Exception error)
    {
        Reset();
        if (Scope.IsAborting(error))
        {
            packet.Release(AckOutcome.Dropped);
            ExceptionDispatchInfo.Throw(error);
        }
        packet.Release(AckOutcome.Failed);
        Metrics.CountFailed();
        var decision = Decide(error, $"processing packet {packet.StreamId}#{packet.Sequence}");
        if (decision == FailureDecision.Stop || (decision == FailureDecision.Restart && !await RestartStageAsync().ConfigureAwait(false)))
        {
            _stopped = true;
        }
    }
}
