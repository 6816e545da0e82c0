using StreamSeq.Text.LanguageModels;

namespace StreamSeq.Text.Tests.LanguageModels;

public sealed class NGramModelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("streamseq-lm-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static readonly string[] Train =
    [
        "one two three", "three two one", "one one two", "turn on the light", "turn off the light",
        "open the door", "close the door", "two three four five", "five four three two one", "one two",
        "the light is on", "the door is open", "four four four", "turn the light on",
    ];

    private static readonly string[] Test = ["one two three four", "close the light", "turn on the door", "five five", "the light is off"];

    private static IReadOnlyList<string>[] Words(IEnumerable<string> lines) => [.. lines.Select(l => LmTokens.Words(l))];

    private static IReadOnlyList<string>[] Chars(IEnumerable<string> lines) => [.. lines.Select(l => LmTokens.Characters(l))];

    public static TheoryData<int, bool> Orders() => new() { { 1, false }, { 2, false }, { 3, false }, { 4, false }, { 3, true }, { 5, true } };

    private static NGramModel Model(int order, bool characters)
        => KneserNeyTrainer.Train(characters ? Chars(Train) : Words(Train), order);

    [Theory]
    [MemberData(nameof(Orders))]
    public void Probabilities_over_the_vocabulary_sum_to_one_in_every_context(int order, bool characters)
    {
        var model = Model(order, characters);
        var predictable = Enumerable.Range(0, model.Words.Count).Where(id => id != model.BosId).ToList();
        var states = model.ContextStates().ToList();
        Assert.True(states.Count > (order == 1 ? 0 : 10));
        foreach (var state in states)
        {
            var sum = predictable.Sum(id => Math.Exp(model.Score(state, id).LogProb));
            Assert.True(Math.Abs(sum - 1) < 1e-9, $"context '{string.Join(' ', model.ContextOf(state))}' sums to {sum}");
        }
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public void An_arpa_round_trip_gives_equal_probabilities(int order, bool characters)
    {
        var model = Model(order, characters);
        var path = Path.Combine(_dir, $"lm{order}{characters}.arpa");
        ArpaFormat.Write(model, path);
        var loaded = ArpaFormat.Read(path);
        Assert.Equal(model.NGramCounts, loaded.NGramCounts);
        Assert.Equal(model.Words.Order(StringComparer.Ordinal), loaded.Words.Order(StringComparer.Ordinal));
        foreach (var sentence in (characters ? Chars(Train.Concat(Test)) : Words(Train.Concat(Test))))
        {
            Assert.Equal(model.LogProbability(sentence), loaded.LogProbability(sentence), 12);
        }
        // Every context and continuation, not just the sentences.
        foreach (var state in model.ContextStates())
        {
            var context = model.ContextOf(state);
            var other = context.Aggregate(context.Length > 0 && context[0] == "<s>" ? loaded.BeginState : LmState.Empty,
                (s, w) => w == "<s>" ? s : loaded.Score(s, w).Next);
            foreach (var word in model.Words.Where(w => w != "<s>"))
            {
                Assert.Equal(model.Score(state, word).LogProb, loaded.Score(other, word).LogProb, 12);
            }
        }
    }

    [Fact]
    public void Perplexity_is_sane_against_an_unsmoothed_model()
    {
        var model = Model(3, false);
        var mle = new MaximumLikelihood(Words(Train), 3);
        var trainPerplexity = model.Perplexity(Words(Train));
        var testPerplexity = model.Perplexity(Words(Test));
        // Smoothing gives mass away from what was seen: worse than unsmoothed on the training text ...
        Assert.True(mle.Perplexity(Words(Train)) < trainPerplexity);
        // ... but finite on new text, where the unsmoothed model gives zero probability.
        Assert.True(double.IsPositiveInfinity(mle.Perplexity(Words(Test))));
        Assert.True(double.IsFinite(testPerplexity));
        Assert.True(trainPerplexity < testPerplexity);
        // And far better than guessing uniformly over the vocabulary.
        Assert.True(testPerplexity < model.Words.Count - 1, $"test perplexity {testPerplexity} vs vocabulary {model.Words.Count - 1}");
        // Higher orders fit the training text better.
        Assert.True(Model(2, false).Perplexity(Words(Train)) > trainPerplexity);
    }

    [Fact]
    public void A_bigram_model_matches_interpolated_kneser_ney_computed_by_hand()
    {
        // Corpus "a b" and "a a b": padded <s> a b </s>, <s> a a b </s>.
        var model = KneserNeyTrainer.Train([["a", "b"], ["a", "a", "b"]], 2);
        // Bigram counts (top order, raw): <s>a 2, ab 2, b</s> 2, aa 1: n1 = 1, n2 = 3, n3 = 0, so one discount
        // for all counts, Y = n1 / (n1 + 2 n2) = 1/7.
        // Unigram continuation counts: a 2 (after <s> and a), b 1, </s> 1: n1 = 2, n2 = 1, n3 = 0: Y = 1/2.
        // Unigram level: total 4, gamma = 3 · 0.5 / 4; uniform over {<unk>, a, b, </s>} = 1/4.
        const double g1 = 1.5 / 4, d2 = 1.0 / 7;
        double pa = ((2 - 0.5) / 4) + (g1 * 0.25), pb = ((1 - 0.5) / 4) + (g1 * 0.25), pend = pb, punk = g1 * 0.25;
        Assert.Equal(1.0, pa + pb + pend + punk, 12);
        Assert.Equal(Math.Log(pb), model.Score(LmState.Empty, "b").LogProb, 12);
        // Context "a": continuations b (2) and a (1): total 3, gamma = 2 · (1/7) / 3.
        var a = model.Score(model.BeginState, "a").Next;
        var ga = 2 * d2 / 3;
        Assert.Equal(Math.Log(((2 - d2) / 3) + (ga * pb)), model.Score(a, "b").LogProb, 12);
        Assert.Equal(Math.Log(((1 - d2) / 3) + (ga * pa)), model.Score(a, "a").LogProb, 12);
        Assert.Equal(Math.Log(ga * pend), model.Score(a, "</s>").LogProb, 12);
        Assert.Equal(Math.Log(ga * punk), model.Score(a, "zebra").LogProb, 12);
    }

    [Fact]
    public void A_hand_written_arpa_file_backs_off_like_srilm_and_kenlm()
    {
        var path = Path.Combine(_dir, "hand.arpa");
        File.WriteAllText(path, """
            \data\
            ngram 1=5
            ngram 2=2

            \1-grams:
            -1.0	<unk>
            -99	<s>	-0.5
            -0.5	a	-0.3
            -0.6	b
            -0.8	</s>

            \2-grams:
            -0.2	<s> a
            -0.1	a b

            \end\
            """);
        var model = ArpaFormat.Read(path);
        Assert.Equal(2, model.Order);
        var s = model.BeginState;
        var (pa, afterA) = model.Score(s, "a");
        Assert.Equal(-0.2 * Math.Log(10), pa, 12);
        Assert.Equal(-0.1 * Math.Log(10), model.Score(afterA, "b").LogProb, 12);
        // "a </s>" is not stored: back-off of "a" times p(</s>).
        Assert.Equal((-0.3 - 0.8) * Math.Log(10), model.Score(afterA, "</s>").LogProb, 12);
        // "<s> b": back-off of "<s>" times p(b).
        Assert.Equal((-0.5 - 0.6) * Math.Log(10), model.Score(s, "b").LogProb, 12);
        // An unknown word is <unk>.
        Assert.Equal((-0.5 - 1.0) * Math.Log(10), model.Score(s, "zzz").LogProb, 12);
    }

    [Theory]
    [InlineData("\\data\\\nngram 1=2\n\n\\1-grams:\n-1\ta\n\n\\end\\\n", "declares 2 1-grams but 1")]
    [InlineData("\\data\\\nngram 1=1\n\n\\1-grams:\n-1\ta\n", "truncated")]
    [InlineData("\\data\\\nngram 1=1\n\n\\1-grams:\nx\ta\n\\end\\\n", ":5: bad probability")]
    [InlineData("hello\n", "not an ARPA file")]
    [InlineData("\\data\\\nngram 1=1\nngram 2=1\n\n\\1-grams:\n-1\ta\n\n\\2-grams:\n-1\tb a\n\\end\\\n", "no stored prefix")]
    public void Malformed_arpa_files_are_reported_with_file_and_line(string text, string expected)
    {
        var path = Path.Combine(_dir, "bad.arpa");
        File.WriteAllText(path, text);
        var e = Assert.Throws<InvalidDataException>(() => ArpaFormat.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Beam_search_states_merge_equal_histories_and_end_with_eos()
    {
        var model = Model(3, false);
        var s1 = model.Score(model.Score(model.BeginState, "one").Next, "two").Next;
        var s2 = model.Score(model.Score(model.Score(model.BeginState, "three").Next, "one").Next, "two").Next;
        Assert.Equal(s1, s2); // both end in "one two": the same trigram context
        Assert.Equal(["one", "two"], model.ContextOf(s1));
        var total = model.LogProbability(["one", "two"]);
        var byHand = model.Score(model.BeginState, "one").LogProb + model.Score(model.Score(model.BeginState, "one").Next, "two").LogProb + model.Score(s1, model.EndId).LogProb;
        Assert.Equal(total, byHand, 12);
    }

    [Fact]
    public void A_character_tokenizer_maps_onto_a_character_model()
    {
        var tokenizer = StreamSeq.Text.Tokenizers.CharTokenizer.Train(Train);
        var model = Model(3, true);
        var map = LmTokens.MapVocabulary(tokenizer, model);
        Assert.Equal([-1, -1, model.EndId, model.UnkId], map.Take(4));
        Assert.Equal(model.IdOf(LmTokens.Space), map[tokenizer.IdOf(" ")!.Value]);
        Assert.Equal(model.IdOf("t"), map[tokenizer.IdOf("t")!.Value]);
        // Scoring a tokenizer's ids through the map equals scoring the text's characters.
        var state = model.BeginState;
        double total = 0;
        foreach (var id in tokenizer.Encode("turn on"))
        {
            (var lp, state) = model.Score(state, map[id]);
            total += lp;
        }
        Assert.Equal(model.LogProbability(LmTokens.Characters("turn on"), eos: false), total, 12);
    }

    [Fact]
    public void Character_tokens_turn_spaces_into_a_token_and_back()
    {
        var tokens = LmTokens.Characters("  Turn  on ");
        Assert.Equal(["t", "u", "r", "n", "<sp>", "o", "n"], tokens);
        Assert.Equal("turn on", LmTokens.JoinCharacters(tokens));
    }

    /// <summary>Unsmoothed relative frequencies, for comparison.</summary>
    private sealed class MaximumLikelihood
    {
        private readonly Dictionary<string, int> _counts = [];
        private readonly int _order;

        public MaximumLikelihood(IEnumerable<IReadOnlyList<string>> sentences, int order)
        {
            _order = order;
            foreach (var s in sentences)
            {
                string[] padded = ["<s>", .. s, "</s>"];
                for (var end = 1; end < padded.Length; end++)
                {
                    for (var k = 1; k <= order && end - k + 1 >= 0; k++)
                    {
                        var key = string.Join(' ', padded[(end - k + 1)..(end + 1)]);
                        _counts[key] = _counts.GetValueOrDefault(key) + 1;
                        var context = string.Join(' ', padded[(end - k + 1)..end]);
                        _counts["ctx:" + context] = _counts.GetValueOrDefault("ctx:" + context) + 1;
                    }
                }
            }
        }

        public double Perplexity(IEnumerable<IReadOnlyList<string>> sentences)
        {
            double logSum = 0;
            var n = 0;
            foreach (var s in sentences)
            {
                string[] padded = ["<s>", .. s, "</s>"];
                for (var end = 1; end < padded.Length; end++)
                {
                    var start = Math.Max(0, end - _order + 1);
                    var key = string.Join(' ', padded[start..(end + 1)]);
                    var context = string.Join(' ', padded[start..end]);
                    var p = (double)_counts.GetValueOrDefault(key) / Math.Max(1, _counts.GetValueOrDefault("ctx:" + context));
                    logSum += Math.Log(p);
                    n++;
                }
            }
            return Math.Exp(-logSum / n);
        }
    }
}
