using StreamSeq.Audio.Features;
using StreamSeq.Learning;
using StreamSeq.Speech.Decoding;
using StreamSeq.Speech.Model;
using StreamSeq.Speech.Training;
using StreamSeq.Text.Tokenizers;

namespace StreamSeq.Speech.Tests.Training;

public sealed class SpeechTrainerTests
{
    /// <summary>
    /// "Speech" any model can learn quickly: each letter is 9 frames lighting its own third of the bins, with 3
    /// quiet frames between letters.
    /// </summary>
    private static List<SpeechExample> Letters(CharTokenizer tokenizer, int count, int seed)
    {
        var random = new Random(seed);
        var bins = SpeechModel.Features.OutputBins;
        var examples = new List<SpeechExample>();
        for (var n = 0; n < count; n++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(2, 5)).Select(_ => "abc"[random.Next(3)])]);
            var frames = new List<float>();
            foreach (var letter in text)
            {
                var band = letter - 'a';
                for (var f = 0; f < 12; f++)
                {
                    for (var b = 0; b < bins; b++)
                    {
                        var lit = f < 9 && b * 3 / bins == band;
                        frames.Add((lit ? 1.5f : -0.5f) + (float)((random.NextDouble() - 0.5) * 0.3));
                    }
                }
            }
            var features = new FeatureMatrix(frames.Count / bins, bins, [.. frames]);
            examples.Add(new SpeechExample(features, tokenizer.Encode(text), text, $"synthetic-{n}"));
        }
        return examples;
    }

    [Fact]
    public void A_short_joint_training_run_learns_to_transcribe_with_both_heads()
    {
        TorchRuntime.Configure(3, 1);
        var tokenizer = CharTokenizer.FromAlphabet("abc");
        using var model = SpeechModel.Create(tokenizer, new SpeechNetSizes(24, 24, 1, 24, 0.0));
        var data = Letters(tokenizer, 48, seed: 1);
        var log = SpeechTrainer.Train(model, data, new SpeechTrainingSettings(Epochs: 60, BatchSize: 16, LearningRate: 1e-2, SpecAugment: false));
        Assert.True(log.EpochLoss[^1] < log.EpochLoss[0] * 0.2, string.Join(", ", log.EpochLoss));
        var heldOut = Letters(tokenizer, 20, seed: 2);
        var features = heldOut.Select(h => h.Features).ToList();
        var ctc = model.Transcribe(features, new SpeechDecoding(SpeechDecoder.CtcGreedy));
        var attention = model.Transcribe(features, new SpeechDecoding(SpeechDecoder.AttentionBeam, BeamSize: 3));
        Assert.True(heldOut.Zip(ctc).Count(p => p.First.Text == p.Second.Text) >= 16, string.Join(" ", heldOut.Zip(ctc).Select(p => p.First.Text + "=" + p.Second.Text)));
        Assert.True(heldOut.Zip(attention).Count(p => p.First.Text == p.Second.Text) >= 14, string.Join(" ", heldOut.Zip(attention).Select(p => p.First.Text + "=" + p.Second.Text)));
    }

    [Fact]
    public void Ctc_needs_a_frame_per_token_and_one_between_repeats()
    {
        Assert.Equal(3, SpeechTrainer.MinFrames([4, 5, 6]));
        Assert.Equal(5, SpeechTrainer.MinFrames([4, 4, 4]));
        Assert.Equal(0, SpeechTrainer.MinFrames([]));
    }
}
