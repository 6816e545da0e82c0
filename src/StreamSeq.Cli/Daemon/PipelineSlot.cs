using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using StreamSeq.Pipelines;
using StreamSeq.Registry;
using StreamSeq.Runtime;
using StreamSeq.Ingest;

namespace StreamSeq.Cli.Daemon;

/// <summary>
/// One pipeline file under the daemon: its running version, the last valid plan, and what to do when the
/// file changes (validate, then drain the old run and start the new one; an invalid edit keeps the old run)
/// or when the run fails (start it again after a growing delay).
/// </summary>
internal sealed class PipelineSlot
{
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromMinutes(5);

    private readonly string _path;
    private readonly StageRegistry _registry;
    private readonly StreamSeqSettings _settings;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private byte[]? _fingerprint;
    private PipelinePlan? _plan;
    private PipelineRun? _run;
    private bool _outcomeSeen;
    private Backoff? _restarts;
    private DateTime? _restartAt;

    /// <summary>A slot for one pipeline file; <paramref name="stopping"/> is set when the daemon shuts down, and from then on the slot starts no run.</summary>
    public PipelineSlot(string path, StageRegistry registry, StreamSeqSettings settings, ILoggerFactory loggers, CancellationToken stopping)
    {
        _stopping = stopping;
        _path = path;
        _registry = registry;
        _settings = settings;
        _loggers = loggers;
        _logger = loggers.CreateLogger<PipelineSlot>();
    }

    public string Path => _path;

    public PipelineRun? Current => _run;

    /// <summary>Looks at the file and the run; starts, reloads or restarts as needed.</summary>
    public async Task CheckAsync()
    {
        // One thing at a time per slot: a check (which may drain a run to reload it) or the shutdown.
        await _turn.WaitAsync().ConfigureAwait(false);
        try
        {
            await CheckNowAsync().ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    private async Task CheckNowAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(_path).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogDebug("Cannot read {Path} now: {Message}", _path, e.Message);
            return;
        }
        var fingerprint = SHA256.HashData(bytes);
        if (_fingerprint is null || !fingerprint.AsSpan().SequenceEqual(_fingerprint))
        {
            var first = _fingerprint is null;
            _fingerprint = fingerprint;
            await ApplyAsync(bytes, first).ConfigureAwait(false);
            return;
        }
        await ObserveRunAsync().ConfigureAwait(false);
    }

    private async Task ApplyAsync(byte[] bytes, bool first)
    {
        var diagnostics = new List<PipelineDiagnostic>();
        var plan = PipelineLoader.TryLoad(bytes, _path, _registry, diagnostics, baseDirectory: Directory.GetCurrentDirectory());
        if (plan is null)
        {
            foreach (var diagnostic in diagnostics)
            {
                _logger.LogError("{Diagnostic}", diagnostic.ToString());
            }
            if (_run is { Completion.IsCompleted: false })
            {
                _logger.LogError("{Path} is invalid ({Count} problems); the running version of '{Pipeline}' keeps running", _path, diagnostics.Count, _run.Name);
            }
            else
            {
                _logger.LogError("{Path} is invalid ({Count} problems); not started", _path, diagnostics.Count);
            }
            return;
        }
        if (_run is not null)
        {
            _logger.LogInformation("{Path} changed: draining '{Pipeline}' to start the new version", _path, _run.Name);
            await StopAsync().ConfigureAwait(false);
        }
        _plan = plan;
        _restarts?.Reset();
        Start(first ? "started" : "reloaded");
    }

    private void Start(string verb)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        _run = PipelineRun.Start(_plan!, new PipelineRunOptions { LoggerFactory = _loggers, DrainTimeout = _settings.DrainTimeout });
        _outcomeSeen = false;
        _restartAt = null;
        _logger.LogInformation("Pipeline '{Pipeline}' {Verb} from {Path} ({Stages} stages)", _plan!.Name, verb, _path, _plan.Stages.Count);
    }

    private async Task ObserveRunAsync()
    {
        if (_run is null || !_run.Completion.IsCompleted)
        {
            return;
        }
        if (!_outcomeSeen)
        {
            _outcomeSeen = true;
            var result = await _run.Completion.ConfigureAwait(false);
            if (result.Succeeded)
            {
                _restarts?.Reset();
                _logger.LogInformation("Pipeline '{Pipeline}' completed in {Seconds:0.0} s (its sources ended)", result.Pipeline, result.Elapsed.TotalSeconds);
                return;
            }
            _restarts ??= new Backoff(_settings.RestartDelay, MaxRestartDelay);
            _restarts.TryNext(out var delay);
            _logger.LogError("Pipeline '{Pipeline}' failed: {Failures}", result.Pipeline, string.Join("; ", result.Failures));
            if (_settings.RestartFailedPipelines)
            {
                _restartAt = DateTime.UtcNow + delay;
                _logger.LogWarning("Pipeline '{Pipeline}' restarts in {Seconds:0.0} s (failure {Count} in a row)", result.Pipeline, delay.TotalSeconds, _restarts.Failures);
            }
            return;
        }
        if (_restartAt is { } due && DateTime.UtcNow >= due)
        {
            Start("restarted");
        }
    }

    private (long In, long Out, long Dropped, long Failed) _lastTotals;
    private PipelineRun? _lastTotalsRun;

    /// <summary>Logs what the running pipeline did since the last call: packets taken from sources, handled by sinks, dropped, failed.</summary>
    public void LogTraffic(TimeSpan period)
    {
        var run = _run;
        if (run is null || run.Completion.IsCompleted)
        {
            return;
        }
        var stages = run.Stages;
        var sources = run.Plan.Stages.Select((s, i) => (s, i)).Where(x => x.s.Descriptor.Kind == Registry.StageKind.Source).Select(x => stages[x.i]).ToList();
        var sinks = run.Plan.Stages.Select((s, i) => (s, i)).Where(x => x.s.Descriptor.Kind == Registry.StageKind.Sink).Select(x => stages[x.i]).ToList();
        var totals = (sources.Sum(s => s.Out), sinks.Sum(s => s.Out), stages.Sum(s => s.Dropped + s.Abandoned), stages.Sum(s => s.Failed));
        var last = ReferenceEquals(_lastTotalsRun, run) ? _lastTotals : default;
        _lastTotals = totals;
        _lastTotalsRun = run;
        _logger.LogInformation("Pipeline '{Pipeline}' in the last {Seconds:0} s: {Produced} packets from sources, {Handled} handled by sinks, {Dropped} dropped, {Failed} failed; deepest queue {Queue}",
            run.Name, period.TotalSeconds, totals.Item1 - last.In, totals.Item2 - last.Out, totals.Item3 - last.Dropped, totals.Item4 - last.Failed,
            stages.Max(s => s.QueueDepth()));
    }

    /// <summary>Shuts the slot down: waits for a check in progress (which starts nothing once stopping), then drains.</summary>
    public async Task ShutdownAsync()
    {
        await _turn.WaitAsync().ConfigureAwait(false);
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Drains the current run, if any.</summary>
    private async Task StopAsync()
    {
        var run = _run;
        if (run is null)
        {
            return;
        }
        var result = await run.StopAsync(_settings.DrainTimeout).ConfigureAwait(false);
        _logger.LogInformation("Pipeline '{Pipeline}' stopped ({Outcome})", result.Pipeline,
            result.Succeeded ? "drained" : result.Aborted ? "aborted after the drain timeout" : "failed: " + string.Join("; ", result.Failures));
        _run = null;
    }
}
