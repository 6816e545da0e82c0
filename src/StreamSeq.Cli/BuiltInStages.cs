using System.Reflection;
using StreamSeq.Registry;

namespace StreamSeq.Cli;

/// <summary>
/// The stage libraries that ship with streamseq, registered like StreamSeq.Core's own stages (origin
/// "built-in") before any plugin. A domain library (media, learning, audio, messaging) adds one line here;
/// its stages then appear in <c>streamseq stages</c>, the schema, <c>run</c> and the daemon alike.
/// </summary>
internal static class BuiltInStages
{
    private static IEnumerable<Assembly> Libraries() =>
    [
        typeof(Media.VideoFrame).Assembly,
        typeof(Actions.Stages.TwoStreamStage).Assembly,
        typeof(StreamSeq.Nats.NatsSourceStage).Assembly,
        typeof(StreamSeq.Audio.AudioChunk).Assembly,
        typeof(StreamSeq.Text.Tokenizers.TextTokenizer).Assembly,
        typeof(Ocr.Stages.CtcOcrStage).Assembly,
        typeof(Speech.Stages.TranscribeStage).Assembly,
    ];

    public static StageRegistry CreateRegistry()
    {
        var registry = StageRegistry.CreateDefault();
        foreach (var library in Libraries())
        {
            registry.AddAssembly(library, "built-in");
        }
        return registry;
    }
}
