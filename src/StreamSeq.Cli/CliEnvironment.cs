using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using StreamSeq.Plugins;
using StreamSeq.Registry;

namespace StreamSeq.Cli;

/// <summary>
/// What every verb needs: settings from <c>appsettings.json</c> (+ <c>STREAMSEQ_</c> environment variables),
/// a logger that writes to stderr (stdout belongs to sinks), and the stage registry with plugins loaded.
/// </summary>
internal sealed class CliEnvironment
{
    private CliEnvironment(IConfiguration configuration, StreamSeqSettings settings)
    {
        Configuration = configuration;
        Settings = settings;
    }

    public IConfiguration Configuration { get; }

    public StreamSeqSettings Settings { get; }

    public static CliEnvironment Load(string? settingsFile = null)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(Directory.GetCurrentDirectory())
            .AddJsonFile(settingsFile ?? "appsettings.json", optional: settingsFile is null)
            .AddEnvironmentVariables("STREAMSEQ_")
            .Build();
        // Libraries read their sections from this one configuration (NATS connections), never from a file of their own.
        Nats.NatsConnections.Configuration = configuration;
        var settings = new StreamSeqSettings();
        var section = configuration.GetSection(StreamSeqSettings.Section);
        section.Bind(settings);
        settings.ApplyDefaults(section);
        return new CliEnvironment(configuration, settings);
    }

    public static ILoggerFactory CreateLoggerFactory(LogLevel minimum) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(minimum)
        .AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss ";
        })
        .AddFilter<ConsoleLoggerProvider>(level => level >= minimum)
        .Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace));

    /// <summary>Built-in stages plus plugins from the given folders (or the configured ones); plugin problems go to stderr.</summary>
    public StageRegistry CreateRegistry(IReadOnlyList<string>? pluginFolders, bool noPlugins, TextWriter? report = null)
    {
        var registry = BuiltInStages.CreateRegistry();
        if (noPlugins)
        {
            return registry;
        }
        var folders = pluginFolders is { Count: > 0 } ? pluginFolders : Settings.Plugins;
        foreach (var result in PluginLoader.LoadAll(registry, folders))
        {
            if (result.Error is not null)
            {
                (report ?? Console.Error).WriteLine($"streamseq: plugin {result.Path}: {result.Error}{(result.StageCount == 0 ? " (skipped)" : "")}");
            }
        }
        return registry;
    }
}

/// <summary>The <c>StreamSeq</c> section of appsettings.json.</summary>
internal sealed class StreamSeqSettings
{
    public const string Section = "StreamSeq";

    /// <summary>Pipeline files or globs (<c>pipelines/*.json</c>) the daemon runs.</summary>
    public List<string> Pipelines { get; set; } = [];

    /// <summary>Where plugins are looked for when <see cref="Plugins"/> is not configured at all.</summary>
    public const string DefaultPluginFolder = "plugins/bin";

    /// <summary>Folders searched for plugin assemblies; <c>[]</c> means none (see <see cref="ApplyDefaults"/>).</summary>
    public List<string> Plugins { get; set; } = [];

    /// <summary>Where trained models live.</summary>
    public string Models { get; set; } = "models";

    /// <summary>How long a stopping pipeline may take to drain.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the daemon looks for changed pipeline files.</summary>
    public TimeSpan WatchInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether a pipeline that failed is started again (after <see cref="RestartDelay"/>, doubling to 5 minutes).</summary>
    public bool RestartFailedPipelines { get; set; } = true;

    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Torch intra-op threads for the whole process (0: leave it to the first model stage's <c>threads</c>
    /// option, else torch's default). One setting per process, so it belongs to the host, not to a stage.
    /// </summary>
    public int TorchThreads { get; set; }

    /// <summary>How often the daemon logs each running pipeline's traffic (zero: never).</summary>
    public TimeSpan StatsInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Fills in defaults the binder cannot: it appends configured items to a list's initial ones, so a default
    /// folder set in the initializer would be searched whatever the settings list, even <c>[]</c>.
    /// </summary>
    public void ApplyDefaults(IConfigurationSection section)
    {
        if (!section.GetSection(nameof(Plugins)).Exists())
        {
            Plugins.Add(DefaultPluginFolder);
        }
    }
}
