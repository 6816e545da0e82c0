using System.CommandLine;
using StreamSeq.Pipelines;

namespace StreamSeq.Cli.Commands;

/// <summary><c>streamseq validate FILE…</c>: every problem of every file as <c>file:line:col: stage 'id': message</c>.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Pipeline files to check", Arity = ArgumentArity.OneOrMore };
        var registryOptions = new RegistryOptions();
        var command = new Command("validate", "Check pipeline files without running them; exit 2 if any is invalid") { files };
        registryOptions.AddTo(command);
        command.SetAction(result =>
        {
            var (_, registry) = registryOptions.Load(result);
            var invalid = 0;
            foreach (var file in result.GetValue(files)!)
            {
                var diagnostics = new List<PipelineDiagnostic>();
                var plan = PipelineLoader.TryLoad(file, registry, diagnostics);
                if (plan is null)
                {
                    invalid++;
                    foreach (var diagnostic in diagnostics)
                    {
                        Console.Error.WriteLine(diagnostic);
                    }
                    continue;
                }
                Console.WriteLine($"ok: {file} ('{plan.Name}', {plan.Stages.Count} stages)");
            }
            return invalid == 0 ? ExitCodes.Success : ExitCodes.Invalid;
        });
        return command;
    }
}
