using System.CommandLine;
using System.Text.Json;
using StreamSeq.Schema;

namespace StreamSeq.Cli.Commands;

/// <summary><c>streamseq stages [--json]</c>: the catalog of stage types, ports and options.</summary>
internal static class StagesCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the catalog as JSON" };
        var plugins = CommonOptions.Plugins();
        var noPlugins = CommonOptions.NoPlugins();
        var settings = CommonOptions.Settings();
        var command = new Command("stages", "List stage types with their ports, options, defaults and docs") { json, plugins, noPlugins, settings };
        command.SetAction(result =>
        {
            var environment = CliEnvironment.Load(result.GetValue(settings));
            var registry = environment.CreateRegistry(result.GetValue(plugins), result.GetValue(noPlugins));
            Console.Write(result.GetValue(json)
                ? StageCatalog.ToJson(registry).ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + Environment.NewLine
                : StageCatalog.ToText(registry));
            return ExitCodes.Success;
        });
        return command;
    }
}
