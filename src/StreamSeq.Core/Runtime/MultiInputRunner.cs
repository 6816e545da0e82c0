using StreamSeq.Pipelines;

namespace StreamSeq.Runtime;

/// <summary>Runs a stage that reads several inputs itself (joins); a failure re-runs it under skip/restart.</summary>
internal sealed class MultiInputRunner<TIn, TOut> : StageRunner
{
    private readonly Edge<TIn>[] _inputs;
    private readonly OutputPort<TOut> _output;

    public MultiInputRunner(PlannedStage plan, RunScope scope) : base(plan, scope)
    {
        _inputs = plan.Inputs.Select(_ => (Edge<TIn>)CreateEdge(typeof(TIn), plan, Metrics)).ToArray();
        _output = new OutputPort<TOut>(plan.Id, Metrics) { ConsumersGone = OnConsumersGone };
        InitQueueDepth();
    }

    public override IReadOnlyList<IEdge> Inputs => _inputs;

    public override void ConnectOutput(IEdge edge) => _output.Connect(edge);

    public override async Task RunAsync()
    {
        MultiInputStage<TIn, TOut>? stage = null;
        var ports = _inputs
            .Select((edge, i) => new StageInput<TIn>(Plan.Inputs[i].Port, i, new CountingReader<Packet<TIn>>(edge.Reader, Metrics)))
            .ToArray();
        try
        {
            stage = await StartInstanceAsync<MultiInputStage<TIn, TOut>>().ConfigureAwait(false);
            while (stage is not null)
            {
                try
                {
                    await stage.RunAsync(ports, _output, OutputUnwanted).ConfigureAwait(false);
                    break;
                }
                catch (Exception e) when (IsUnwanted(e))
                {
                    break;
                }
                catch (Exception e) when (!Scope.IsAborting(e))
                {
                    Metrics.CountFailed();
                    if (Decide(e, "joining") == FailureDecision.Stop)
                    {
                        break;
                    }
                    var failed = stage;
                    stage = null;
                    stage = await RestartAsync(failed).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (Scope.IsAborting(e))
        {
        }
        catch (Exception e)
        {
            Fail(e, "joining");
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
}
