using System.CommandLine;
using Microsoft.Extensions.Logging;
using StreamSeq.Json;
using StreamSeq.Pipelines;
using StreamSeq.Runtime;

namespace StreamSeq.Cli.Commands;

/// <summary>
/// <c>streamseq run PIPELINE [--set id.option=value]… [--stats] [--duration T]</c>: validates, runs until the
/// sources end (or T elapses, or Ctrl+C / SIGTERM), drains, and exits 0 (completed), 1 (failed) or 2 (invalid).
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("pipeline") { Description = "The pipeline file to run" };
        var set = new Option<string[]>("--set") { Description = "Override an option: id.option=value (value is JSON, or text); also id.capacity, id.full, id.onError, id.parallelism" };
        var stats = new Option<bool>("--stats") { Description = "Print a per-stage table (in, out, dropped, failed, latency) to stderr at the end" };
        var duration = new Option<string?>("--duration") { Description = "Stop after this long (e.g. 10s, 2m), draining in-flight packets" };
        var drain = new Option<string?>("--drain-timeout") { Description = "How long a stop may take to drain before aborting (default: StreamSeq:DrainTimeout, 10s)" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log informational messages too" };
        var torchThreads = new Option<int?>("--torch-threads") { Description = "Torch intra-op threads for the whole process (default: StreamSeq:TorchThreads, else the first model stage's threads option)" };
        var progress = new Option<string?>("--progress")
        {
            Description = "Print a status line to stderr at this interval (e.g. 1s) while the pipeline runs",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var registryOptions = new RegistryOptions();
        var command = new Command("run", "Run one pipeline until its sources end (or --duration, or Ctrl+C)")
        {
            file, set, stats, duration, drain, verbose, progress, torchThreads,
        };
        registryOptions.AddTo(command);
        command.SetAction(async result =>
        {
            var (environment, registry) = registryOptions.Load(result);
            List<PipelineOverride> overrides;
            TimeSpan? limit = null;
            TimeSpan? progressInterval = null;
            var drainTimeout = environment.Settings.DrainTimeout;
            try
            {
                overrides = (result.GetValue(set) ?? []).Select(PipelineOverride.Parse).ToList();
                limit = ParseDuration(result.GetValue(duration), "--duration");
                drainTimeout = ParseDuration(result.GetValue(drain), "--drain-timeout") ?? drainTimeout;
                if (result.GetResult(progress) is not null)
                {
                    progressInterval = ParseDuration(result.GetValue(progress), "--progress") ?? TimeSpan.FromSeconds(1);
                }
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"streamseq run: {e.Message}");
                return ExitCodes.Invalid;
            }
            if (result.GetValue(torchThreads) is < 0 || environment.Settings.TorchThreads < 0)
            {
                Console.Error.WriteLine("streamseq run: torch threads (--torch-threads, StreamSeq:TorchThreads) must be 0 or more");
                return ExitCodes.Invalid;
            }

            var path = result.GetValue(file)!;
            var diagnostics = new List<PipelineDiagnostic>();
            var plan = PipelineLoader.TryLoad(path, registry, diagnostics, overrides);
            if (plan is null)
            {
                foreach (var diagnostic in diagnostics)
                {
                    Console.Error.WriteLine(diagnostic);
                }
                return ExitCodes.Invalid;
            }

            using var termination = new TerminationSignal();
            var cancellationToken = termination.Token;
            using var loggers = CliEnvironment.CreateLoggerFactory(result.GetValue(verbose) ? LogLevel.Information : LogLevel.Warning);
            if ((result.GetValue(torchThreads) ?? environment.Settings.TorchThreads) is > 0 and var threads)
            {
                StreamSeq.Learning.TorchRuntime.Threads.Request(threads, result.GetValue(torchThreads) is null ? "StreamSeq:TorchThreads" : "--torch-threads");
            }
            var run = PipelineRun.Start(plan, new PipelineRunOptions { LoggerFactory = loggers, DrainTimeout = drainTimeout });
            using var progressStop = new CancellationTokenSource();
            var reporting = progressInterval is { } every
                ? ProgressReporter.RunAsync(run, every, Console.Error, progressStop.Token)
                : Task.CompletedTask;
            var stop = limit is { } l ? Task.Delay(l, CancellationToken.None) : Task.Delay(Timeout.Infinite, cancellationToken);
            var cancelled = Task.Delay(Timeout.Infinite, cancellationToken);
            PipelineResult outcome;
            if (await Task.WhenAny(run.Completion, stop, cancelled).ConfigureAwait(false) == run.Completion)
            {
                outcome = await run.Completion.ConfigureAwait(false);
            }
            else
            {
                outcome = await run.StopAsync().ConfigureAwait(false);
            }

            await progressStop.CancelAsync().ConfigureAwait(false);
            await reporting.ConfigureAwait(false);
            foreach (var failure in outcome.Failures)
            {
                Console.Error.WriteLine($"streamseq run: {plan.FilePath}: {failure}");
            }
            if (result.GetValue(stats))
            {
                Console.Error.Write(StatsTable.Format(outcome));
            }
            return outcome.Succeeded ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }

    private static TimeSpan? ParseDuration(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }
        if (DurationConverter.TryParse(text, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }
        if (double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }
        throw new FormatException($"{option} expects a duration such as 10s or 2m, not '{text}'");
    }
}
