using System.CommandLine;

namespace StreamSeq.Cli.Commands;

/// <summary>Options several verbs share.</summary>
internal static class CommonOptions
{
    public static Option<string[]> Plugins() => new("--plugins")
    {
        Description = "Folder to load plugins from (repeatable; default: StreamSeq:Plugins in appsettings.json)",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<bool> NoPlugins() => new("--no-plugins") { Description = "Load built-in stages only" };

    public static Option<string?> Settings() => new("--settings") { Description = "Settings file (default: ./appsettings.json if present)" };
}

/// <summary>Exit codes of the CLI.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int Invalid = 2;
}
