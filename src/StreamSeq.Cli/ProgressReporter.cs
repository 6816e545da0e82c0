using System.Globalization;
using System.Text;
using StreamSeq.Runtime;

namespace StreamSeq.Cli;

/// <summary>
/// A one-line status of a running pipeline every interval (stderr): elapsed time, per-stage packets in and
/// out, and the drops and failures so far, so a long run shows that it is moving and where it is stuck.
/// </summary>
internal static class ProgressReporter
{
    public static async Task RunAsync(PipelineRun run, TimeSpan interval, TextWriter output, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false) && !run.Completion.IsCompleted)
            {
                await output.WriteLineAsync(Format(run.Stages, DateTime.UtcNow - started)).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public static string Format(IReadOnlyList<StageMetrics> stages, TimeSpan elapsed)
    {
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"streamseq: {elapsed.TotalSeconds,6:0.0} s ");
        foreach (var stage in stages)
        {
            line.Append(CultureInfo.InvariantCulture, $" {stage.StageId} {stage.In:N0}→{stage.Out:N0}");
            if (stage.QueueDepth() is > 0 and var depth)
            {
                line.Append(CultureInfo.InvariantCulture, $" (queued {depth})");
            }
        }
        var dropped = stages.Sum(s => s.Dropped + s.Abandoned);
        var failed = stages.Sum(s => s.Failed);
        line.Append(CultureInfo.InvariantCulture, $"  dropped {dropped:N0} failed {failed:N0}");
        return line.ToString();
    }
}
