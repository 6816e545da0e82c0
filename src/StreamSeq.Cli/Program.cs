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
    PublishCommand.Create(),
    WorkflowCommands.Data(),
    WorkflowCommands.Train(),
    WorkflowCommands.Eval(),
    OcrCommands.Read(),
    SpeechRecognitionCommands.Transcribe(),
};
var parsed = root.Parse(args);
// Verbs handle SIGINT/SIGTERM themselves (run drains, the daemon's host stops), so the parser must not.
var exitCode = await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
// System.CommandLine answers a usage error (unknown option, missing argument) with 1, which scripts would
// read as "the run failed"; it is an invalid invocation: 2, like an invalid pipeline.
return parsed.Errors.Count > 0 ? ExitCodes.Invalid : exitCode;
