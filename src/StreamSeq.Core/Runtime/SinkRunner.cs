using StreamSeq.Pipelines;

namespace StreamSeq.Runtime;

/// <summary>Runs a sink; a packet's share is released (and so acknowledged) after the sink handled it.</summary>
internal sealed class SinkRunner<TIn> : SingleInputRunner<TIn>
{
    private SinkStage<TIn>? _stage;

    public SinkRunner(PlannedStage plan, RunScope scope) : base(plan, scope, countHandledAsOut: true)
    {
    }

    public override void ConnectOutput(IEdge edge) => throw new InvalidOperationException("A sink has no output.");

    public override async Task RunAsync()
    {
        try
        {
            _stage = await StartInstanceAsync<SinkStage<TIn>>().ConfigureAwait(false);
            if (_stage is null)
            {
                return;
            }
            await PumpAsync().ConfigureAwait(false);
            if (_stage is not null && !Stopped && !Scope.Abort.IsCancellationRequested)
            {
                await _stage.FlushAsync(Scope.Abort).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (Scope.IsAborting(e))
        {
        }
        catch (Exception e)
        {
            Fail(e, "flushing");
        }
        finally
        {
            if (_stage is not null)
            {
                await StopInstanceAsync(_stage).ConfigureAwait(false);
            }
            AbandonInputs();
        }
    }

    protected override ValueTask Handle(in Packet<TIn> packet) => _stage!.ConsumeAsync(packet, Abort);

    protected override async Task<bool> RestartStageAsync()
    {
        var failed = _stage!;
        _stage = null;
        _stage = await RestartAsync(failed).ConfigureAwait(false);
        return _stage is not null;
    }
}
