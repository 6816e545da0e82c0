using StreamSeq.Learning;
using StreamSeq.Speech.Decoding;
using StreamSeq.Speech.Model;
using StreamSeq.Speech.Tests.Support;

namespace StreamSeq.Speech.Tests.Model;

public sealed class SpeechModelTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"speech-model-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void The_encoder_gives_one_frame_per_three_feature_frames_and_ctc_rows_that_are_distributions()
    {
        using var model = Models.Small();
        var emissions = model.Emissions([Models.Features(100, 1), Models.Features(31, 2)]);
        Assert.Equal([34, 11], emissions.Select(e => e.Frames));
        Assert.All(emissions, e => Assert.Equal(e.Frames * model.Classes, e.LogProbs.Length));
        var row = emissions[0].LogProbs.AsSpan(0, model.Classes).ToArray();
        Assert.Equal(1.0, row.Sum(v => Math.Exp(v)), 4);
    }

    [Fact]
    public void Results_do_not_depend_on_the_batch_an_utterance_is_decoded_in()
    {
        using var model = Models.Small();
        var utterances = new[] { Models.Features(120, 1), Models.Features(37, 2), Models.Features(80, 3) };
        var batched = model.Emissions(utterances);
        for (var i = 0; i < utterances.Length; i++)
        {
            var alone = model.Emissions([utterances[i]])[0];
            Assert.Equal(alone.Frames, batched[i].Frames);
            for (var k = 0; k < alone.LogProbs.Length; k++)
            {
                Assert.Equal(alone.LogProbs[k], batched[i].LogProbs[k], 4);
            }
        }
        foreach (var decoder in Enum.GetValues<SpeechDecoder>())
        {
            var decoding = new SpeechDecoding(decoder, BeamSize: 4);
            var together = model.Transcribe(utterances, decoding);
            for (var i = 0; i < utterances.Length; i++)
            {
                Assert.Equal(model.Transcribe([utterances[i]], decoding)[0].Text, together[i].Text);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Attention_beam_search_of_width_one_equals_greedy_decoding(int seed)
    {
        using var model = Models.Small(seed);
        var features = Models.Features(90, seed);
        var greedy = model.Transcribe([features], new SpeechDecoding(SpeechDecoder.AttentionGreedy))[0];
        var beam = model.Transcribe([features], new SpeechDecoding(SpeechDecoder.AttentionBeam, BeamSize: 1, LengthPenalty: 1.5))[0];
        Assert.Equal(greedy.Text, beam.Text);
        Assert.Equal(greedy.Words, beam.Words);
    }

    [Fact]
    public void Ctc_beam_of_width_one_without_the_lm_equals_ctc_greedy_on_model_output()
    {
        using var model = Models.Small();
        var features = Models.Features(150, 5);
        var greedy = model.Transcribe([features], new SpeechDecoding(SpeechDecoder.CtcGreedy))[0];
        var beam = model.Transcribe([features], new SpeechDecoding(SpeechDecoder.CtcBeam, BeamSize: 1, LmWeight: 0))[0];
        Assert.Equal(greedy.Text, beam.Text);
    }

    [Fact]
    public void Beam_decoders_return_distinct_n_best_alternatives_best_first()
    {
        using var model = Models.Small();
        var features = Models.Features(150, 6);
        foreach (var decoder in new[] { SpeechDecoder.CtcBeam, SpeechDecoder.AttentionBeam })
        {
            var transcript = model.Transcribe([features], new SpeechDecoding(decoder, BeamSize: 6, NBest: 3))[0];
            Assert.NotNull(transcript.NBest);
            Assert.True(transcript.NBest!.Count is >= 2 and <= 3, $"{decoder}: {transcript.NBest.Count} alternatives: {string.Join(" | ", transcript.NBest.Select(a => a.Text))}");
            Assert.Equal(transcript.Text, transcript.NBest[0].Text);
            Assert.Equal(transcript.NBest.Count, transcript.NBest.Select(a => a.Text).Distinct().Count());
            Assert.True(transcript.NBest.Zip(transcript.NBest.Skip(1)).All(p => p.First.Score >= p.Second.Score));
        }
    }

    [Fact]
    public void The_grammar_decoder_only_says_what_the_grammar_allows()
    {
        using var model = Models.Small();
        var transcript = model.Transcribe([Models.Features(150, 7)], new SpeechDecoding(SpeechDecoder.CtcGrammar))[0];
        Assert.Null(transcript.NoTranscript);
        var words = transcript.Text.Split(' ');
        Assert.True(transcript.Text == "stop" || (words.Length <= 3 && words.All(w => w is "one" or "two" or "three" or "nine" or "eight" or "seven")), transcript.Text);
    }

    [Fact]
    public void Ctc_output_converts_to_a_lattice_whose_best_path_is_the_greedy_reading_and_whose_total_is_one()
    {
        using var model = Models.Small();
        var emissions = model.Emissions([Models.Features(45, 4)])[0];
        var lattice = model.Lattice(emissions);
        var best = StreamSeq.Lattice.GraphOps.Viterbi(lattice);
        var greedy = CtcGreedyDecoder.Decode(emissions.LogProbs, emissions.Frames, emissions.Classes);
        Assert.Equal(greedy.Tokens.Select(t => t.Token), best.Path.Output.Where(l => l != StreamSeq.Lattice.Graph.Epsilon));
        // Every frame labelling is one path: the probabilities of all of them sum to one.
        Assert.Equal(0.0, StreamSeq.Lattice.GraphOps.ForwardScore(lattice), 3);
        var constrained = StreamSeq.Lattice.GraphOps.Viterbi(model.Lattice(emissions, grammar: true));
        var text = model.Tokenizer.Decode([.. constrained.Path.Output.Where(l => l != StreamSeq.Lattice.Graph.Epsilon)]);
        Assert.True(text == "stop" || text.Split(' ').All(w => w is "one" or "two" or "three" or "nine" or "eight" or "seven"), text);
    }

    [Fact]
    public void A_saved_model_loads_back_with_the_same_outputs_lm_and_grammar()
    {
        var features = Models.Features(60, 9);
        float[] before;
        string text;
        using (var model = Models.Small())
        {
            before = model.Emissions([features])[0].LogProbs;
            text = model.Transcribe([features], new SpeechDecoding(SpeechDecoder.CtcBeam))[0].Text;
            model.Save(_folder, new() { ["note"] = "test" }, []);
        }
        using var loaded = SpeechModel.Load(_folder);
        Assert.Equal(before, loaded.Emissions([features])[0].LogProbs);
        Assert.NotNull(loaded.Lm);
        Assert.NotNull(loaded.Grammar);
        Assert.Equal(text, loaded.Transcribe([features], new SpeechDecoding(SpeechDecoder.CtcBeam))[0].Text);
        Assert.Equal("test", loaded.Checkpoint!.Training["note"]!.GetValue<string>());
    }

    [Fact]
    public void A_folder_that_is_not_a_speech_model_is_an_error_naming_it()
    {
        Directory.CreateDirectory(_folder);
        var e = Assert.ThrowsAny<Exception>(() => SpeechModel.Load(_folder));
        Assert.Contains(_folder, e.Message);
    }

    [Fact]
    public void Decoding_leaves_no_tensor_behind()
    {
        var before = TensorLedger.Live;
        using (var model = Models.Small())
        {
            foreach (var decoder in Enum.GetValues<SpeechDecoder>())
            {
                model.Transcribe([Models.Features(70, 1), Models.Features(40, 2)], new SpeechDecoding(decoder, BeamSize: 3));
            }
        }
        Assert.Equal(before, TensorLedger.Live);
    }

    [Fact]
    public void Audio_shorter_than_a_frame_reads_as_nothing_with_a_reason()
    {
        using var model = Models.Small();
        var empty = new StreamSeq.Audio.Features.FeatureMatrix(0, SpeechModel.Features.OutputBins);
        var transcript = model.Transcribe([empty, Models.Features(30, 1)], new SpeechDecoding(SpeechDecoder.CtcGreedy));
        Assert.Equal("", transcript[0].Text);
        Assert.NotNull(transcript[0].NoTranscript);
        Assert.Null(transcript[1].NoTranscript);
    }
}
