using Microsoft.Extensions.Logging;
using StreamSeq.Pipelines;

namespace StreamSeq.Runtime;

/// <summary>
/// Runs one stage of a pipeline: its loop, its policy on failure, its instance's lifetime. Every runner
/// completes its output and closes its inputs when it ends, whatever the reason, so completion flows from
/// sources to sinks and no producer waits forever on a consumer that left.
/// </summary>
internal abstract class StageRunner
{
    private int _loggedFailures;

    protected StageRunner(PlannedStage plan, RunScope scope)
    {
        Plan = plan;
        Scope = scope;
        Metrics = new StageMetrics(scope.PipelineName, plan.Id, plan.Descriptor.TypeName);
        Supervisor = new Supervisor(plan.Definition.OnError, plan.Definition.Restart);
        Logger = scope.LoggerFactory.CreateLogger($"StreamSeq.Stage.{plan.Descriptor.TypeName}");
        Abort = scope.Abort;
        _unwanted = CancellationTokenSource.CreateLinkedTokenSource(scope.Abort);
    }

    private readonly CancellationTokenSource _unwanted;

    /// <summary>Cancelled when every consumer of this stage's output has gone (or the run aborts).</summary>
    protected CancellationToken OutputUnwanted => _unwanted.Token;

    /// <summary>Whether the stage ends because nobody reads its output any more (not a failure).</summary>
    protected bool IsUnwanted(Exception e) => e is OperationCanceledException && _unwanted.IsCancellationRequested && !Scope.Abort.IsCancellationRequested;

    /// <summary>For <see cref="OutputPort{T}.ConsumersGone"/>: the stage stops reading, which closes its inputs upstream.</summary>
    protected void OnConsumersGone()
    {
        try
        {
            _unwanted.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>The run's abort token, read once: stage loops pass it with every packet.</summary>
    protected CancellationToken Abort { get; }

    public PlannedStage Plan { get; }

    public StageMetrics Metrics { get; }

    protected RunScope Scope { get; }

    protected Supervisor Supervisor { get; }

    protected ILogger Logger { get; }

    /// <summary>The edges feeding this stage, in port order.</summary>
    public abstract IReadOnlyList<IEdge> Inputs { get; }

    /// <summary>Adds a consumer edge to this stage's output.</summary>
    public abstract void ConnectOutput(IEdge edge);

    public abstract Task RunAsync();

    protected static IEdge CreateEdge(Type payload, PlannedStage plan, StageMetrics metrics)
        => (IEdge)Activator.CreateInstance(typeof(Edge<>).MakeGenericType(payload), plan.Definition.Capacity, plan.Definition.Full, metrics)!;

    protected StageContext CreateContext()
        => new(Scope.PipelineName, Plan.Id, Logger, Scope.Scheduler, Scope.BaseDirectory, (int)Metrics.Restarts);

    /// <summary>
    /// Creates and starts an instance; a failure to start counts as a stage failure under the policy
    /// (restart retries with backoff). Returns null when the stage gives up.
    /// </summary>
    protected async Task<TStage?> StartInstanceAsync<TStage>() where TStage : Stage
    {
        while (true)
        {
            Stage? stage = null;
            try
            {
                stage = Plan.CreateInstance();
                await stage.StartAsync(CreateContext(), Scope.Abort).ConfigureAwait(false);
                return (TStage)stage;
            }
            catch (Exception e) when (!Scope.IsAborting(e))
            {
                if (stage is not null)
                {
                    await StopInstanceAsync(stage).ConfigureAwait(false);
                }
                Metrics.CountFailed();
                var decision = Decide(e, "starting");
                if (decision == FailureDecision.Stop || !await BackoffAsync(decision, Scope.Abort).ConfigureAwait(false))
                {
                    return null;
                }
            }
            catch (OperationCanceledException)
            {
                if (stage is not null)
                {
                    await StopInstanceAsync(stage).ConfigureAwait(false);
                }
                return null;
            }
        }
    }

    /// <summary>
    /// Replaces a failed instance after the backoff; null when the stage gives up or
    /// <paramref name="cancelBackoff"/> (default: the abort) ends the wait.
    /// </summary>
    protected async Task<TStage?> RestartAsync<TStage>(TStage failed, CancellationToken? cancelBackoff = null) where TStage : Stage
    {
        await StopInstanceAsync(failed).ConfigureAwait(false);
        if (!await BackoffAsync(FailureDecision.Restart, cancelBackoff ?? Scope.Abort).ConfigureAwait(false))
        {
            return null;
        }
        return await StartInstanceAsync<TStage>().ConfigureAwait(false);
    }

    /// <summary>Waits before a restart (counting it); false when cancelled.</summary>
    protected async Task<bool> BackoffAsync(FailureDecision decision, CancellationToken cancellationToken)
    {
        if (decision != FailureDecision.Restart)
        {
            return true;
        }
        Metrics.CountRestart();
        try
        {
            await Task.Delay(Supervisor.NextDelay, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Applies the policy to a failure, logging it (rate-limited) and reporting a stop.</summary>
    protected FailureDecision Decide(Exception error, string doing)
    {
        var decision = Supervisor.Decide();
        var logged = Interlocked.Increment(ref _loggedFailures);
        if (decision == FailureDecision.Stop)
        {
            if (InputProblems.Is(error))
            {
                Logger.LogError("Pipeline '{Pipeline}': stage '{Stage}' failed while {Doing} and stops the pipeline ({Policy}, {Attempts} failures in a row): {Error}",
                    Scope.PipelineName, Plan.Id, doing, Plan.Definition.OnError, Supervisor.ConsecutiveFailures, error.Message);
            }
            else
            {
                Logger.LogError(error, "Pipeline '{Pipeline}': stage '{Stage}' failed while {Doing} and stops the pipeline ({Policy}, {Attempts} failures in a row)",
                    Scope.PipelineName, Plan.Id, doing, Plan.Definition.OnError, Supervisor.ConsecutiveFailures);
            }
            Scope.ReportFailure(Plan.Id, error);
        }
        else if (logged <= 10 || logged % 1000 == 0)
        {
            Logger.LogWarning("Pipeline '{Pipeline}': stage '{Stage}' failed while {Doing} ({Count} so far), {Decision}: {Error}",
                Scope.PipelineName, Plan.Id, doing, logged, decision == FailureDecision.Skip ? "skipping the packet" : $"restarting in {Supervisor.NextDelay.TotalMilliseconds:0} ms", error.Message);
        }
        return decision;
    }

    /// <summary>Stops the pipeline for a failure no policy applies to (flushing at completion).</summary>
    protected void Fail(Exception error, string doing)
    {
        Metrics.CountFailed();
        if (InputProblems.Is(error))
        {
            Logger.LogError("Pipeline '{Pipeline}': stage '{Stage}' failed while {Doing} and stops the pipeline: {Error}", Scope.PipelineName, Plan.Id, doing, error.Message);
        }
        else
        {
            Logger.LogError(error, "Pipeline '{Pipeline}': stage '{Stage}' failed while {Doing} and stops the pipeline", Scope.PipelineName, Plan.Id, doing);
        }
        Scope.ReportFailure(Plan.Id, error);
    }

    protected async ValueTask StopInstanceAsync(Stage stage)
    {
        try
        {
            await stage.StopAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Logger.LogWarning(e, "Pipeline '{Pipeline}': stage '{Stage}' threw while stopping", Scope.PipelineName, Plan.Id);
        }
    }

    /// <summary>Closes every input edge, releasing what is left in it.</summary>
    protected void AbandonInputs()
    {
        foreach (var edge in Inputs)
        {
            edge.Abandon();
        }
    }

    protected void InitQueueDepth()
    {
        var inputs = Inputs;
        Metrics.QueueDepth = () =>
        {
            var depth = 0;
            foreach (var edge in inputs)
            {
                depth += edge.Count;
            }
            return depth;
        };
    }
}
