using StreamSeq.Speech.Decoding;
using StreamSeq.Speech.Tests.Support;
using StreamSeq.Text.LanguageModels;

namespace StreamSeq.Speech.Tests.Decoding;

public sealed class CtcDecoderTests
{
    [Fact]
    public void Greedy_decoding_collapses_repeats_and_drops_blanks_keeping_each_tokens_first_frame()
    {
        // Frame arg-maxes: 1 1 0 1 2 2 0 → tokens 1, 1, 2.
        var logProbs = Emission.FromProbabilities([
            [0.1, 0.8, 0.1], [0.2, 0.7, 0.1], [0.9, 0.05, 0.05], [0.1, 0.6, 0.3], [0.1, 0.2, 0.7], [0.1, 0.1, 0.8], [0.8, 0.1, 0.1],
        ]);
        var best = CtcGreedyDecoder.Decode(logProbs, 7, 3);
        Assert.Equal([1, 1, 2], best.Tokens.Select(t => t.Token));
        Assert.Equal([0, 3, 4], best.Tokens.Select(t => t.Frame));
        Assert.Equal(0.8, best.Tokens[0].Probability, 5);
        Assert.Equal(0.8, best.Tokens[2].Probability, 5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Prefix_beam_search_of_width_one_equals_greedy_decoding(int seed)
    {
        const int classes = 6;
        var logProbs = Emission.Random(40, classes, seed);
        var greedy = CtcGreedyDecoder.Decode(logProbs, 40, classes);
        var beam = new CtcPrefixBeamSearch(new CtcBeamSettings(Width: 1)).Decode(logProbs, 40, classes);
        Assert.Equal(greedy.Tokens.Select(t => t.Token), beam[0].Tokens.Select(t => t.Token));
        Assert.Equal(greedy.Tokens.Select(t => t.Frame), beam[0].Tokens.Select(t => t.Frame));
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Unpruned_prefix_beam_search_finds_the_most_probable_labelling_by_brute_force(int seed)
    {
        const int frames = 6, classes = 3;
        var logProbs = Emission.Random(frames, classes, seed, sharpness: 1.5);
        // Sum the probability of every frame labelling into its collapsed labelling.
        var totals = new Dictionary<string, double>();
        var labelling = new int[frames];
        for (var code = 0; code < Math.Pow(classes, frames); code++)
        {
            var rest = code;
            var logP = 0.0;
            for (var t = 0; t < frames; t++)
            {
                labelling[t] = rest % classes;
                rest /= classes;
                logP += logProbs[(t * classes) + labelling[t]];
            }
            var key = string.Join(",", Emission.Collapse(labelling));
            totals[key] = totals.GetValueOrDefault(key) + Math.Exp(logP);
        }
        var expected = totals.OrderByDescending(p => p.Value).First();
        var search = new CtcPrefixBeamSearch(new CtcBeamSettings(Width: 10_000, NBest: 3, PruneBelow: double.NegativeInfinity));
        var found = search.Decode(logProbs, frames, classes);
        Assert.Equal(expected.Key, string.Join(",", found[0].Tokens.Select(t => t.Token)));
        Assert.Equal(Math.Log(expected.Value), found[0].ModelLogProb, 6);
        // The n-best are distinct labellings with their exact probabilities, best first.
        Assert.Equal(3, found.Select(h => string.Join(",", h.Tokens.Select(t => t.Token))).Distinct().Count());
        foreach (var h in found)
        {
            Assert.Equal(Math.Log(totals[string.Join(",", h.Tokens.Select(t => t.Token))]), h.ModelLogProb, 6);
        }
        Assert.True(found[0].Score >= found[1].Score && found[1].Score >= found[2].Score);
    }

    [Fact]
    public void A_language_model_turns_an_acoustically_ambiguous_frame_towards_the_words_it_knows()
    {
        // Classes: 0 blank, 1 'a', 2 'b'. The acoustics prefer "aa" (0.454) to "ab" (0.378); the LM has only seen "a b".
        var logProbs = Emission.FromProbabilities([
            [0.05, 0.9, 0.05], [0.9, 0.05, 0.05], [0.02, 0.56, 0.42],
        ]);
        var lm = KneserNeyTrainer.Train(Enumerable.Repeat<IReadOnlyList<string>>(["a", "b"], 20), 2);
        var lmIds = new[] { -1, lm.IdOf("a"), lm.IdOf("b") };
        var plain = new CtcPrefixBeamSearch(new CtcBeamSettings(Width: 8)).Decode(logProbs, 3, 3);
        var fused = new CtcPrefixBeamSearch(new CtcBeamSettings(Width: 8, LmWeight: 1.0, TokenBonus: 0), lm, lmIds).Decode(logProbs, 3, 3);
        Assert.Equal([1, 1], plain[0].Tokens.Select(t => t.Token));
        Assert.Equal([1, 2], fused[0].Tokens.Select(t => t.Token));
    }

    [Fact]
    public void The_lattice_decoder_without_a_grammar_gives_the_best_path_and_with_one_only_what_it_allows()
    {
        const int classes = 5;
        var logProbs = Emission.Random(30, classes, seed: 7);
        var greedy = CtcGreedyDecoder.Decode(logProbs, 30, classes);
        var (free, noPath) = new CtcLatticeDecoder(classes).Decode(logProbs, 30);
        Assert.Null(noPath);
        Assert.Equal(greedy.Tokens.Select(t => t.Token), free!.Tokens.Select(t => t.Token));
        Assert.Equal(greedy.ModelLogProb, free.ModelLogProb, 4);

        // A grammar of exactly "3 4": the decoder can only say that.
        var grammar = new StreamSeq.Lattice.Graph();
        var s0 = grammar.AddState(start: true);
        var s1 = grammar.AddState();
        var s2 = grammar.AddState(accept: true);
        grammar.AddArc(s0, s1, 3);
        grammar.AddArc(s1, s2, 4);
        var (constrained, reason) = new CtcLatticeDecoder(classes, grammar).Decode(logProbs, 30);
        Assert.Null(reason);
        Assert.Equal([3, 4], constrained!.Tokens.Select(t => t.Token));
        // One frame cannot hold two tokens: no path, with a reason instead of an exception.
        var (none, why) = new CtcLatticeDecoder(classes, grammar).Decode(logProbs.AsSpan(0, classes), 1);
        Assert.Null(none);
        Assert.Contains("grammar", why);
    }

    [Fact]
    public void Emissions_of_the_wrong_size_are_refused()
    {
        Assert.Throws<ArgumentException>(() => CtcGreedyDecoder.Decode(new float[10], 3, 3));
        Assert.Throws<ArgumentException>(() => new CtcPrefixBeamSearch(new CtcBeamSettings()).Decode(new float[10], 3, 3));
    }
}
