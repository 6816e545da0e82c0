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
        var registryOptions = new RegistryOptions();
        var command = new Command("stages", "List stage types with their ports, options, defaults and docs") { json };
        registryOptions.AddTo(command);
        command.SetAction(result =>
        {
            var (_, registry) = registryOptions.Load(result);
            Console.Write(result.GetValue(json)
                ? StageCatalog.ToJson(registry).ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + Environment.NewLine
                : StageCatalog.ToText(registry));
            return ExitCodes.Success;
        });
        return command;
    }
}
