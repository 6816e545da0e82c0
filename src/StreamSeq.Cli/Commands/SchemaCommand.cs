using System.CommandLine;
using StreamSeq.Schema;

namespace StreamSeq.Cli.Commands;

/// <summary><c>streamseq schema [--output FILE]</c>: the JSON Schema of pipeline files.</summary>
internal static class SchemaCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--output", "-o") { Description = "Write the schema to this file instead of stdout" };
        var registryOptions = new RegistryOptions();
        var command = new Command("schema", "Print the JSON Schema of pipeline files (stage types and their options)") { output };
        registryOptions.AddTo(command);
        command.SetAction(result =>
        {
            var (_, registry) = registryOptions.Load(result);
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
