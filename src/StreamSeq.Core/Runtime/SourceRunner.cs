using StreamSeq.Pipelines;

namespace StreamSeq.Runtime;

/// <summary>Runs a source until it ends or the pipeline drains; failures re-run it under skip/restart.</summary>
internal sealed class SourceRunner<TOut> : StageRunner
{
    private readonly OutputPort<TOut> _output;

    public SourceRunner(PlannedStage plan, RunScope scope) : base(plan, scope)
    {
        _output = new OutputPort<TOut>(plan.Id, Metrics);
        InitQueueDepth();
    }

    public override IReadOnlyList<IEdge> Inputs => [];

    public override void ConnectOutput(IEdge edge) => _output.Connect(edge);

    public override async Task RunAsync()
    {
        try
        {
            var stage = await StartInstanceAsync<SourceStage<TOut>>().ConfigureAwait(false);
            while (stage is not null)
            {
                try
                {
                    await stage.RunAsync(_output, Scope.Drain).ConfigureAwait(false);
                    break;
                }
                catch (OperationCanceledException) when (Scope.Drain.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    Metrics.CountFailed();
                    var decision = Decide(e, "producing");
                    if (decision == FailureDecision.Stop)
                    {
                        break;
                    }
                    // A source has no packet to skip: both skip and restart run a fresh instance, unless the
                    // run is draining: then there is nothing left to produce for.
                    var failed = stage;
                    stage = null;
                    if (Scope.Drain.IsCancellationRequested)
                    {
                        await StopInstanceAsync(failed).ConfigureAwait(false);
                        break;
                    }
                    stage = await RestartAsync(failed, Scope.Drain).ConfigureAwait(false);
                    continue;
                }
            }
            if (stage is not null)
            {
                await StopInstanceAsync(stage).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (Scope.IsAborting(e))
        {
        }
        catch (Exception e)
        {
            Fail(e, "producing");
        }
        finally
        {
            _output.Complete();
        }
    }
}
