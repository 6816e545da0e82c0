using System.CommandLine;
using StreamSeq.Schema;

namespace StreamSeq.Cli.Commands;

/// <summary><c>streamseq schema [--output FILE]</c>: the JSON Schema of pipeline files.</summary>
internal static class SchemaCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--output", "-o") { Description = "Write the schema to this file instead of stdout" };
        var plugins = CommonOptions.Plugins();
        var noPlugins = CommonOptions.NoPlugins();
        var settings = CommonOptions.Settings();
        var command = new Command("schema", "Print the JSON Schema of pipeline files (stage types and their options)") { output, plugins, noPlugins, settings };
        command.SetAction(result =>
        {
            var environment = CliEnvironment.Load(result.GetValue(settings));
            var registry = environment.CreateRegistry(result.GetValue(plugins), result.GetValue(noPlugins));
            var text = PipelineSchema.ToText(registry);
            if (result.GetValue(output) is { } path)
            {
                File.WriteAllText(path, text);
            }
            else
            {
                Console.Write(text);
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
