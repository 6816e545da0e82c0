using System.CommandLine;
using StreamSeq.Cli.Bench;
using StreamSeq.Cli.Commands;
using StreamSeq.Cli.Daemon;

var root = new RootCommand("StreamSeq: pipeline-as-code streaming for sequence learning")
{
    RunCommand.Create(),
    ValidateCommand.Create(),
    StagesCommand.Create(),
    SchemaCommand.Create(),
    DaemonCommand.Create(),
    BenchCommand.Create(),
};
// Verbs handle SIGINT/SIGTERM themselves (run drains, the daemon's host stops), so the parser must not.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
