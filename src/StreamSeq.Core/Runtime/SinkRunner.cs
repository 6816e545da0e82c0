using StreamSeq.Pipelines;

namespace StreamSeq.Runtime;

/// <summary>Runs a sink; a packet's share is released (and so acknowledged) after the sink handled it.</summary>
internal sealed class SinkRunner<TIn> : StageRunner
{
    private readonly Edge<TIn> _input;

    public SinkRunner(PlannedStage plan, RunScope scope) : base(plan, scope)
    {
        _input = (Edge<TIn>)CreateEdge(typeof(TIn), plan, Metrics);
        InitQueueDepth();
    }

    public override IReadOnlyList<IEdge> Inputs => [_input];

    public override void ConnectOutput(IEdge edge) => throw new InvalidOperationException("A sink has no output.");

    public override async Task RunAsync()
    {
        SinkStage<TIn>? stage = null;
        try
        {
            stage = await StartInstanceAsync<SinkStage<TIn>>().ConfigureAwait(false);
            if (stage is null)
            {
                return;
            }
            var reader = _input.Reader;
            var abort = Scope.Abort;
            var sampler = new LatencySampler();
            while (await reader.WaitToReadAsync(abort).ConfigureAwait(false))
            {
                while (reader.TryRead(out var packet))
                {
                    Metrics.CountIn();
                    var started = sampler.Start();
                    try
                    {
                        var pending = stage.ConsumeAsync(packet, abort);
                        if (!pending.IsCompletedSuccessfully)
                        {
                            await pending.ConfigureAwait(false);
                        }
                        Metrics.CountOut();
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
                        var decision = Decide(e, $"consuming packet {packet.StreamId}#{packet.Sequence}");
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
                        }
                    }
                }
            }
            await stage.FlushAsync(abort).ConfigureAwait(false);
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
            if (stage is not null)
            {
                await StopInstanceAsync(stage).ConfigureAwait(false);
            }
            AbandonInputs();
        }
    }
}
