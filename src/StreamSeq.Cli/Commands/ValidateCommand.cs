using System.CommandLine;
using StreamSeq.Pipelines;

namespace StreamSeq.Cli.Commands;

/// <summary><c>streamseq validate FILE…</c>: every problem of every file as <c>file:line:col: stage 'id': message</c>.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Pipeline files to check", Arity = ArgumentArity.OneOrMore };
        var plugins = CommonOptions.Plugins();
        var noPlugins = CommonOptions.NoPlugins();
        var settings = CommonOptions.Settings();
        var command = new Command("validate", "Check pipeline files without running them; exit 2 if any is invalid") { files, plugins, noPlugins, settings };
        command.SetAction(result =>
        {
            var environment = CliEnvironment.Load(result.GetValue(settings));
            var registry = environment.CreateRegistry(result.GetValue(plugins), result.GetValue(noPlugins));
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
