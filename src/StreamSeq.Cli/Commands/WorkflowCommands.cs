using System.CommandLine;

namespace StreamSeq.Cli.Commands;

/// <summary>
/// The learning workflow's verb groups: <c>data</c> makes data sets, <c>train</c> fits models, <c>eval</c>
/// scores them. Each application (actions, ocr, speech) contributes one subcommand to each group from its
/// own file.
/// </summary>
internal static class WorkflowCommands
{
    public static Command Data() => new("data", "Generate training and evaluation data sets")
    {
        ActionsCommands.Data(),
        SpeechDataCommand.Create(),
        SpeechDataCommand.CreateAsterisk(),
        OcrCommands.Data(),
        OcrDataSets.Documents(),
        OcrDataSets.Fonts(),
    };

    public static Command Train() => new("train", "Train models on generated or user data (seeded, with progress and checkpoints)")
    {
        ActionsCommands.Train(),
        OcrCommands.Train(),
        OcrCommands.TrainSegment(),
        OcrCommands.TrainLm(),
        SpeechCommands.Train(),
    };

    public static Command Eval() => new("eval", "Evaluate models and print JSON reports")
    {
        ActionsCommands.Eval(),
        OcrCommands.Eval(),
        SpeechRecognitionCommands.Eval(),
    };
}
