using System.CommandLine;
using StreamSeq.Registry;

namespace StreamSeq.Cli.Commands;

/// <summary>Options several verbs share.</summary>
internal static class CommonOptions
{
    public static Option<string?> Settings() => new("--settings") { Description = "Settings file (default: ./appsettings.json if present)" };
}

/// <summary>
/// The options of every verb that needs the stage registry (<c>--plugins</c>, <c>--no-plugins</c>,
/// <c>--settings</c>), and the registry they describe.
/// </summary>
internal sealed class RegistryOptions
{
    private readonly Option<string[]> _plugins = new("--plugins")
    {
        Description = "Folder to load plugins from (repeatable; default: StreamSeq:Plugins in appsettings.json)",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<bool> _noPlugins = new("--no-plugins") { Description = "Load built-in stages only" };

    private readonly Option<string?> _settings = CommonOptions.Settings();

    /// <summary>Adds the options to a verb.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_plugins);
        command.Options.Add(_noPlugins);
        command.Options.Add(_settings);
    }

    /// <summary>Loads the settings and the registry (built-ins plus plugins) the parsed options ask for.</summary>
    public (CliEnvironment Environment, StageRegistry Registry) Load(ParseResult result)
    {
        var environment = CliEnvironment.Load(result.GetValue(_settings));
        return (environment, environment.CreateRegistry(result.GetValue(_plugins), result.GetValue(_noPlugins)));
    }
}

/// <summary>Exit codes of the CLI.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int Invalid = 2;
}
