using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamSeq.Plugins;
using StreamSeq.Registry;

namespace StreamSeq.Cli.Daemon;

/// <summary>
/// The daemon's one long-running loop: keeps one <see cref="PipelineSlot"/> per configured pipeline file,
/// polls the files (robust on network and container mounts where change events get lost), and on host
/// shutdown drains every pipeline within the drain timeout. A pipeline's failure stays inside its slot.
/// </summary>
internal sealed class PipelineSupervisor : BackgroundService
{
    private readonly StreamSeqSettings _settings;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly IHostEnvironment _environment;
    private readonly Dictionary<string, PipelineSlot> _slots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _checks = new(StringComparer.Ordinal);
    private readonly List<Task> _removals = [];

    public PipelineSupervisor(IOptions<StreamSeqSettings> settings, ILoggerFactory loggers, IHostEnvironment environment, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        // The host's configuration is the only one: NATS connections come from it, with --settings, environment and command line.
        StreamSeq.Nats.NatsConnections.Configuration = configuration;
        _settings = settings.Value;
        _loggers = loggers;
        _logger = loggers.CreateLogger<PipelineSupervisor>();
        _environment = environment;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Notices from the native stack (e.g. oneDNN's convolutions failing their self-check) go to the daemon's log.
        StreamSeq.Learning.TorchRuntime.Warn = message => _logger.LogWarning("{Notice}", message);
        if (_settings.TorchThreads > 0)
        {
            StreamSeq.Learning.TorchRuntime.Threads.Request(_settings.TorchThreads, "StreamSeq:TorchThreads");
            _logger.LogInformation("Torch: {Threads} intra-op threads for the whole process (StreamSeq:TorchThreads)", _settings.TorchThreads);
        }
        var registry = BuiltInStages.CreateRegistry();
        var plugins = _settings.Plugins.Select(p => Path.GetFullPath(p, _environment.ContentRootPath)).ToList();
        foreach (var result in PluginLoader.LoadAll(registry, plugins))
        {
            if (result.Error is not null)
            {
                _logger.LogWarning("Plugin {Path}: {Error}{Skipped}", result.Path, result.Error, result.StageCount == 0 ? " (skipped)" : "");
            }
            else
            {
                _logger.LogInformation("Plugin {Path}: {Count} stages", result.Path, result.StageCount);
            }
        }
        if (_settings.Pipelines.Count == 0)
        {
            _logger.LogWarning("No pipelines configured (StreamSeq:Pipelines in appsettings.json); idle");
        }

        try
        {
            var lastTraffic = DateTime.UtcNow;
            while (!stoppingToken.IsCancellationRequested)
            {
                await ReconcileAsync(registry, stoppingToken).ConfigureAwait(false);
                if (_settings.StatsInterval > TimeSpan.Zero && DateTime.UtcNow - lastTraffic >= _settings.StatsInterval)
                {
                    var period = DateTime.UtcNow - lastTraffic;
                    lastTraffic = DateTime.UtcNow;
                    foreach (var slot in _slots.Values)
                    {
                        slot.LogTraffic(period);
                    }
                }
                await Task.Delay(_settings.WatchInterval, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _logger.LogInformation("Stopping: draining {Count} pipelines (timeout {Timeout})", _slots.Count, _settings.DrainTimeout);
            // Slots shut down side by side; each first lets a check in progress finish (it starts nothing now).
            await Task.WhenAll(_slots.Values.Select(s => s.ShutdownAsync()).Concat(_removals)).ConfigureAwait(false);
            _logger.LogInformation("All pipelines stopped");
        }
    }

    private async Task ReconcileAsync(StageRegistry registry, CancellationToken stopping)
    {
        var files = ExpandPipelines();
        foreach (var gone in _slots.Keys.Except(files).ToList())
        {
            _logger.LogInformation("{Path} was removed: stopping its pipeline", gone);
            _checks.Remove(gone);
            // In the background: draining the removed pipeline must not hold up the others' checks.
            _removals.Add(_slots[gone].ShutdownAsync());
            _slots.Remove(gone);
        }
        foreach (var file in files)
        {
            if (!_slots.TryGetValue(file, out var slot))
            {
                slot = new PipelineSlot(file, registry, _settings, _loggers, stopping);
                _slots[file] = slot;
            }
            // Each slot is checked on its own: a reload that drains one pipeline for seconds must not delay
            // noticing changes or failures of the others. A slot still busy is looked at again next tick.
            if (!_checks.TryGetValue(file, out var running) || running.IsCompleted)
            {
                _checks[file] = CheckSlotAsync(slot);
            }
        }
    }

    private async Task CheckSlotAsync(PipelineSlot slot)
    {
        try
        {
            await slot.CheckAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // A slot's trouble is its own; the daemon and the other pipelines go on.
            _logger.LogError(e, "Pipeline file {Path}: unexpected error", slot.Path);
        }
    }

    private List<string> ExpandPipelines()
    {
        var root = _environment.ContentRootPath;
        var files = new List<string>();
        foreach (var entry in _settings.Pipelines)
        {
            if (entry.IndexOfAny(['*', '?']) < 0)
            {
                var full = Path.GetFullPath(entry, root);
                if (File.Exists(full))
                {
                    files.Add(Path.GetRelativePath(root, full));
                }
                continue;
            }
            var matcher = new Matcher();
            matcher.AddInclude(entry);
            files.AddRange(matcher.GetResultsInFullPath(root).Select(f => Path.GetRelativePath(root, f)));
        }
        return files.Distinct().Order(StringComparer.Ordinal).ToList();
    }
}
