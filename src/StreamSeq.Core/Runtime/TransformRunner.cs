using StreamSeq.Pipelines;

namespace StreamSeq.Runtime;

/// <summary>Runs a transform (or a map with parallelism 1) over its single input.</summary>
internal sealed class TransformRunner<TIn, TOut> : SingleInputRunner<TIn>
{
    private readonly OutputPort<TOut> _output;
    private TransformStage<TIn, TOut>? _stage;
    private MapStage<TIn, TOut>? _map;

    public TransformRunner(PlannedStage plan, RunScope scope) : base(plan, scope, countHandledAsOut: false)
    {
        _output = new OutputPort<TOut>(plan.Id, Metrics);
        // Nobody reads the output any more: stop reading the input too, which closes it for the stage upstream.
        _output.ConsumersGone = OnConsumersGone;
        OutputUnwanted.Register(StopReading);
    }

    public override void ConnectOutput(IEdge edge) => _output.Connect(edge);

    public override async Task RunAsync()
    {
        try
        {
            Use(await StartInstanceAsync<TransformStage<TIn, TOut>>().ConfigureAwait(false));
            if (_stage is null)
            {
                return;
            }
            await PumpAsync().ConfigureAwait(false);
            if (_stage is not null && !Stopped && !Scope.Abort.IsCancellationRequested)
            {
                await _stage.CompleteAsync(_output, Scope.Abort).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (Scope.IsAborting(e))
        {
        }
        catch (Exception e)
        {
            Fail(e, "completing");
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

    protected override ValueTask Handle(in Packet<TIn> packet)
    {
        if (_map is { } map)
        {
            return _output.ForwardAsync(packet.Derive(map.Map(packet)), Abort);
        }
        _output.SetCurrent(packet);
        var pending = _stage!.ProcessAsync(packet, _output, Abort);
        if (pending.IsCompletedSuccessfully)
        {
            _output.ClearCurrent();
            return pending;
        }
        return ClearAfterAsync(pending);
    }

    private async ValueTask ClearAfterAsync(ValueTask pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        finally
        {
            _output.ClearCurrent();
        }
    }

    protected override void Reset() => _output.ClearCurrent();

    protected override async Task<bool> RestartStageAsync()
    {
        var failed = _stage!;
        _stage = null;
        _map = null;
        Use(await RestartAsync(failed).ConfigureAwait(false));
        return _stage is not null;
    }

    private void Use(TransformStage<TIn, TOut>? stage)
    {
        _stage = stage;
        _map = stage as MapStage<TIn, TOut>;
    }
}
