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
        // The source stops when the run drains, or when every consumer has closed its edge (nothing it
        // produced would be read, e.g. a join whose primary ended): then the run can still complete.
        using var unwanted = CancellationTokenSource.CreateLinkedTokenSource(Scope.Drain, OutputUnwanted);
        _output.ConsumersGone = OnConsumersGone;
        try
        {
            var stage = await StartInstanceAsync<SourceStage<TOut>>().ConfigureAwait(false);
            while (stage is not null)
            {
                try
                {
                    await stage.RunAsync(_output, unwanted.Token).ConfigureAwait(false);
                    break;
                }
                catch (OperationCanceledException) when (unwanted.IsCancellationRequested)
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
                    if (unwanted.IsCancellationRequested)
                    {
                        await StopInstanceAsync(failed).ConfigureAwait(false);
                        break;
                    }
                    stage = await RestartAsync(failed, unwanted.Token).ConfigureAwait(false);
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
            _output.ConsumersGone = null;
            _output.Complete();
        }
    }
}
