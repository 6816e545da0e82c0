using StreamSeq.Audio.Features;
using StreamSeq.Learning;
using StreamSeq.Speech.Model;
using StreamSeq.Text.LanguageModels;
using StreamSeq.Text.Tokenizers;

namespace StreamSeq.Speech.Tests.Support;

public static class Models
{
    public static readonly string[] Transcripts = ["one two", "three", "stop", "nine eight seven"];

    /// <summary>A small untrained model (seeded) with a character LM and the grammar of <see cref="Transcripts"/>.</summary>
    public static SpeechModel Small(int seed = 1)
    {
        TorchRuntime.Configure(seed, 1);
        var tokenizer = CharTokenizer.Train(Transcripts);
        var lm = KneserNeyTrainer.Train(Transcripts.Select(t => LmTokens.Characters(t)), 3);
        return SpeechModel.Create(tokenizer, new SpeechNetSizes(16, 16, 1, 16, 0.1), lm,
            Speech.Decoding.GrammarSpec.FromTranscripts(Transcripts, ["one", "two", "three", "nine", "eight", "seven"], ["stop"]));
    }

    /// <summary>Random normalised features.</summary>
    public static FeatureMatrix Features(int frames, int seed)
    {
        var random = new Random(seed);
        var data = new float[frames * SpeechModel.Features.OutputBins];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)((random.NextDouble() * 2) - 1);
        }
        return new FeatureMatrix(frames, SpeechModel.Features.OutputBins, data);
    }
}
