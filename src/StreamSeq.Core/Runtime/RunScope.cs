using System.Reactive.Concurrency;
using Microsoft.Extensions.Logging;

namespace StreamSeq.Runtime;

/// <summary>A failure that stopped a stage (and so the pipeline).</summary>
public sealed record StageFailure(string StageId, Exception Error)
{
    public override string ToString() => $"stage '{StageId}': {Error.GetType().Name}: {Error.Message}";
}

/// <summary>
/// What every stage loop of one run shares: the drain signal (sources stop, the rest finish what is queued),
/// the abort signal (everything stops now) and the failure list.
/// </summary>
internal sealed class RunScope
{
    private readonly CancellationTokenSource _drain = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly List<StageFailure> _failures = [];

    public RunScope(string pipelineName, string baseDirectory, PipelineRunOptions options)
    {
        PipelineName = pipelineName;
        BaseDirectory = baseDirectory;
        Options = options;
    }

    public string PipelineName { get; }

    public string BaseDirectory { get; }

    public PipelineRunOptions Options { get; }

    public IScheduler Scheduler => Options.Scheduler;

    public ILoggerFactory LoggerFactory => Options.LoggerFactory;

    /// <summary>Cancelled when sources should stop producing.</summary>
    public CancellationToken Drain => _drain.Token;

    /// <summary>Cancelled when every stage should stop at once.</summary>
    public CancellationToken Abort => _abort.Token;

    public IReadOnlyList<StageFailure> Failures
    {
        get
        {
            lock (_failures)
            {
                return _failures.ToList();
            }
        }
    }

    public bool IsAborting(Exception e) => e is OperationCanceledException && _abort.IsCancellationRequested;

    public void ReportFailure(string stageId, Exception error)
    {
        lock (_failures)
        {
            _failures.Add(new StageFailure(stageId, error));
        }
        RequestDrain();
    }

    public void RequestDrain()
    {
        try
        {
            _drain.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void RequestAbort()
    {
        RequestDrain();
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
