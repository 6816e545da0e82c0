using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using StreamSeq.Pipelines;
using StreamSeq.Registry;

namespace StreamSeq.Runtime;

/// <summary>How a run ended.</summary>
public sealed record PipelineResult(
    string Pipeline,
    bool Succeeded,
    bool Aborted,
    IReadOnlyList<StageFailure> Failures,
    IReadOnlyList<StageMetrics> Stages,
    TimeSpan Elapsed);

/// <summary>
/// One run of a validated pipeline: every stage's loop, the edges between them and their shutdown. A run
/// ends when every stage has ended: normally when the sources end and the rest drains; on
/// <see cref="StopAsync"/> (sources stop, queued packets still reach the sinks, and after the drain timeout
/// everything is aborted); or after a stage stops for a failure (the same drain, reported as failed).
/// </summary>
public sealed class PipelineRun : IAsyncDisposable
{
    private readonly RunScope _scope;
    private readonly List<StageRunner> _runners;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ILogger _logger;
    private Task<PipelineResult>? _completion;
    private Task[] _loops = [];
    private int _stopping;
    private volatile bool _aborted;

    private PipelineRun(PipelinePlan plan, PipelineRunOptions options)
    {
        Plan = plan;
        Options = options;
        _scope = new RunScope(plan.Name, plan.BaseDirectory, options);
        _logger = options.LoggerFactory.CreateLogger<PipelineRun>();
        var byId = new Dictionary<string, StageRunner>(StringComparer.Ordinal);
        _runners = [];
        foreach (var stage in plan.Stages)
        {
            var runner = CreateRunner(stage, _scope);
            byId[stage.Id] = runner;
            _runners.Add(runner);
            for (var i = 0; i < stage.Inputs.Count; i++)
            {
                byId[stage.Inputs[i].Upstream.Id].ConnectOutput(runner.Inputs[i]);
            }
        }
        // Hot loops wait on edges without a token; an abort closes every edge instead, which wakes them all
        // and releases what the edges hold.
        _scope.Abort.Register(() =>
        {
            foreach (var runner in _runners)
            {
                foreach (var edge in runner.Inputs)
                {
                    edge.Abandon();
                }
            }
        });
    }

    public PipelinePlan Plan { get; }

    public PipelineRunOptions Options { get; }

    public string Name => Plan.Name;

    /// <summary>Per-stage counters, live while the run goes on.</summary>
    public IReadOnlyList<StageMetrics> Stages => _runners.Select(r => r.Metrics).ToList();

    /// <summary>Completes when every stage has ended; never faults.</summary>
    public Task<PipelineResult> Completion => _completion ?? throw new InvalidOperationException("The run has not started.");

    /// <summary>Starts every stage of a validated plan.</summary>
    public static PipelineRun Start(PipelinePlan plan, PipelineRunOptions? options = null)
    {
        var run = new PipelineRun(plan, options ?? new PipelineRunOptions());
        run._completion = run.RunAsync();
        return run;
    }

    private void OnDisposeFailed(IDisposable payload, Exception error)
        => _logger.LogWarning(error, "A payload ({Type}) threw while being disposed", payload.GetType().Name);

    private void OnSettleFailed(Exception error)
        => _logger.LogWarning(error, "An acknowledgement callback threw");

    private async Task<PipelineResult> RunAsync()
    {
        // Releases happen where a throw cannot surface; such errors are logged by every run that is live
        // (the lease does not know its run).
        Lease.DisposeFailed += OnDisposeFailed;
        AckToken.SettleFailed += OnSettleFailed;
        RuntimeHelpers.RunClassConstructor(typeof(StreamSeqInstruments).TypeHandle);
        foreach (var runner in _runners)
        {
            StreamSeqInstruments.Register(runner.Metrics);
        }
        using var sampler = new Timer(_ => SampleQueues(), null, Options.QueueSampleInterval, Options.QueueSampleInterval);
        try
        {
            // Each loop starts on the thread pool, so a stage that blocks in StartAsync delays no other.
            _loops = _runners.Select(r => Task.Run(r.RunAsync)).ToArray();
            try
            {
                await Task.WhenAll(_loops).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Runners handle their own errors; reaching here is an engine bug, reported not thrown.
                _logger.LogError(e, "Pipeline '{Pipeline}': a stage loop ended with an unhandled error", Name);
                _scope.ReportFailure("(engine)", e);
            }
        }
        finally
        {
            Lease.DisposeFailed -= OnDisposeFailed;
            AckToken.SettleFailed -= OnSettleFailed;
            SampleQueues();
            foreach (var runner in _runners)
            {
                StreamSeqInstruments.Unregister(runner.Metrics);
            }
        }
        var failures = _scope.Failures;
        return new PipelineResult(Name, failures.Count == 0 && !_aborted, _aborted, failures, Stages, _clock.Elapsed);
    }

    /// <summary>
    /// Stops the run: sources stop, in-flight packets drain to the sinks; after <paramref name="drainTimeout"/>
    /// (default from options) every stage is aborted and what is queued is released.
    /// </summary>
    public async Task<PipelineResult> StopAsync(TimeSpan? drainTimeout = null)
    {
        var completion = Completion;
        if (Interlocked.Exchange(ref _stopping, 1) == 0)
        {
            _scope.RequestDrain();
        }
        var timeout = drainTimeout ?? Options.DrainTimeout;
        if (await Task.WhenAny(completion, Task.Delay(timeout)).ConfigureAwait(false) != completion)
        {
            _logger.LogWarning("Pipeline '{Pipeline}' did not drain within {Timeout}; aborting", Name, timeout);
            _aborted = true;
            _scope.RequestAbort();
            if (await Task.WhenAny(completion, Task.Delay(Options.AbortGrace)).ConfigureAwait(false) != completion)
            {
                var stuck = _runners.Where((_, i) => i < _loops.Length && !_loops[i].IsCompleted).Select(r => r.Plan.Id);
                _logger.LogError("Pipeline '{Pipeline}': stages ignored cancellation for {Grace}; giving up on them", Name, Options.AbortGrace);
                return new PipelineResult(Name, false, true, [.. _scope.Failures, new StageFailure("(engine)", new TimeoutException("stages did not stop: " + string.Join(", ", stuck)))], Stages, _clock.Elapsed);
            }
        }
        return await completion.ConfigureAwait(false);
    }

    /// <summary>Aborts at once (no drain).</summary>
    public void Abort()
    {
        _aborted = true;
        _scope.RequestAbort();
    }

    public async ValueTask DisposeAsync()
    {
        if (_completion is not null && !_completion.IsCompleted)
        {
            await StopAsync().ConfigureAwait(false);
        }
    }

    private void SampleQueues()
    {
        foreach (var runner in _runners)
        {
            runner.Metrics.SampleQueueDepth();
        }
    }

    private static StageRunner CreateRunner(PlannedStage stage, RunScope scope)
    {
        var closed = stage.Closed;
        var runnerType = closed.Descriptor.Kind switch
        {
            StageKind.Source => typeof(SourceRunner<>).MakeGenericType(closed.OutputType!),
            StageKind.Sink => typeof(SinkRunner<>).MakeGenericType(closed.InputType!),
            StageKind.Map when stage.Definition.Parallelism > 1 => typeof(ParallelMapRunner<,>).MakeGenericType(closed.InputType!, closed.OutputType!),
            StageKind.Map or StageKind.Transform => typeof(TransformRunner<,>).MakeGenericType(closed.InputType!, closed.OutputType!),
            StageKind.Rx => typeof(RxRunner<,>).MakeGenericType(closed.InputType!, closed.OutputType!),
            StageKind.MultiInput => typeof(MultiInputRunner<,>).MakeGenericType(closed.InputType!, closed.OutputType!),
            _ => throw new NotSupportedException(closed.Descriptor.Kind.ToString()),
        };
        return (StageRunner)Activator.CreateInstance(runnerType, stage, scope)!;
    }
}
