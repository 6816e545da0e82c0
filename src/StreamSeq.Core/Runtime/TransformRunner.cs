using StreamSeq.Pipelines;

namespace StreamSeq.Runtime;

/// <summary>Runs a transform (or a map with parallelism 1) over its single input.</summary>
internal sealed class TransformRunner<TIn, TOut> : StageRunner
{
    private readonly Edge<TIn> _input;
    private readonly OutputPort<TOut> _output;

    public TransformRunner(PlannedStage plan, RunScope scope) : base(plan, scope)
    {
        _input = (Edge<TIn>)CreateEdge(typeof(TIn), plan, Metrics);
        _output = new OutputPort<TOut>(plan.Id, Metrics);
        InitQueueDepth();
    }

    public override IReadOnlyList<IEdge> Inputs => [_input];

    public override void ConnectOutput(IEdge edge) => _output.Connect(edge);

    public override async Task RunAsync()
    {
        TransformStage<TIn, TOut>? stage = null;
        try
        {
            stage = await StartInstanceAsync<TransformStage<TIn, TOut>>().ConfigureAwait(false);
            if (stage is null)
            {
                return;
            }
            var reader = _input.Reader;
            var abort = Scope.Abort;
            var sampler = new LatencySampler();
            var map = stage as MapStage<TIn, TOut>;
            while (await reader.WaitToReadAsync(abort).ConfigureAwait(false))
            {
                while (reader.TryRead(out var packet))
                {
                    Metrics.CountIn();
                    var started = sampler.Start();
                    try
                    {
                        if (map is not null)
                        {
                            var pending = _output.ForwardAsync(packet.Derive(map.Map(packet)), abort);
                            if (!pending.IsCompletedSuccessfully)
                            {
                                await pending.ConfigureAwait(false);
                            }
                        }
                        else
                        {
                            _output.SetCurrent(packet);
                            var pending = stage.ProcessAsync(packet, _output, abort);
                            if (!pending.IsCompletedSuccessfully)
                            {
                                await pending.ConfigureAwait(false);
                            }
                        }
                        packet.Release();
                        sampler.Stop(Metrics, started);
                        Supervisor.Succeeded();
                    }
                    catch (Exception e) when (Scope.IsAborting(e))
                    {
                        packet.Release(AckOutcome.Dropped);
                        throw;
                    }
                    catch (Exception e)
                    {
                        packet.Release(AckOutcome.Failed);
                        Metrics.CountFailed();
                        var decision = Decide(e, $"processing packet {packet.StreamId}#{packet.Sequence}");
                        if (decision == FailureDecision.Stop)
                        {
                            return;
                        }
                        if (decision == FailureDecision.Restart)
                        {
                            var failed = stage;
                            stage = null;
                            stage = await RestartAsync(failed).ConfigureAwait(false);
                            if (stage is null)
                            {
                                return;
                            }
                            map = stage as MapStage<TIn, TOut>;
                        }
                    }
                    finally
                    {
                        _output.ClearCurrent();
                    }
                }
            }
            await stage.CompleteAsync(_output, abort).ConfigureAwait(false);
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
            if (stage is not null)
            {
                await StopInstanceAsync(stage).ConfigureAwait(false);
            }
            _output.Complete();
            AbandonInputs();
        }
    }
}
