using StreamSeq.Learning;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Segmentation;
using StreamSeq.Ocr.Tests.Support;
using StreamSeq.Text.LanguageModels;

namespace StreamSeq.Ocr.Tests.Model;

/// <summary>Pattern, word-list and character-LM constraints and n-best alternatives on both recognisers, with the
/// committed models and sample images.</summary>
public sealed class ConstraintTests : IDisposable
{
    private readonly string _folder = OcrTestSupport.TempFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static LineSample Sample(bool digits) =>
        LineList.Read(OcrTestSupport.PathOf("samples/ocr/labels.tsv")).First(s => s.Text.All(char.IsAsciiDigit) == digits);

    private static (CrnnModel Model, LineImage Line) Crnn(LineSample sample)
    {
        TorchRuntime.Configure(1, 1);
        var model = CrnnModel.Load(OcrTestSupport.PathOf("models/ocr"));
        var (line, reason) = model.Prepare(sample.Image);
        Assert.True(line is not null, reason);
        return (model, line!);
    }

    [Fact]
    public void A_pattern_constrains_the_CRNN_reading_and_its_n_best()
    {
        var sample = Sample(digits: true);
        var (model, line) = Crnn(sample);
        using var _ = model;
        var right = new CtcDecoding(model.Alphabet, CtcDecoder.Greedy, OcrConstraints.Build(model.Alphabet, pattern: "[0-9]{3,8}"));
        Assert.Equal("viterbi+pattern", right.Name);
        var reading = model.Read([line], right, nbest: 5)[0];
        Assert.Equal(sample.Text, reading.Text);
        Assert.Equal(sample.Text.Length, reading.Chars.Count);
        // At most five; how many alternatives survive the pruning beam depends on how sure the model is.
        Assert.InRange(reading.NBest!.Count, 2, 5);
        Assert.Equal(sample.Text, reading.NBest[0].Text);
        Assert.All(reading.NBest, a => Assert.Matches("^[0-9]{3,8}$", a.Text));
        Assert.Equal(reading.NBest.Count, reading.NBest.Select(a => a.Text).Distinct().Count());
        Assert.True(reading.NBest.Zip(reading.NBest.Skip(1)).All(p => p.First.Score >= p.Second.Score));

        // One digit fewer than the image holds: the reading still has exactly five digits.
        var five = model.Read([line], new CtcDecoding(model.Alphabet, CtcDecoder.Viterbi, OcrConstraints.Build(model.Alphabet, pattern: "\\d{5}")))[0];
        Assert.Matches("^[0-9]{5}$", five.Text);
        Assert.Equal(5, five.Chars.Count);

        // A pattern nothing fits (more characters than frames) is "no reading", with the reason.
        var impossible = model.Read([line], new CtcDecoding(model.Alphabet, CtcDecoder.Viterbi, OcrConstraints.Build(model.Alphabet, pattern: "[0-9]{100}")), nbest: 3)[0];
        Assert.False(impossible.HasReading);
        Assert.Contains("pattern", impossible.NoReading);
    }

    [Fact]
    public void When_the_pruned_lattice_has_no_path_the_constraints_accept_the_full_lattice_is_searched()
    {
        var sample = Sample(digits: true);
        var (model, line) = Crnn(sample);
        using var _ = model;
        // A beam this narrow keeps only each frame's best class (digits and blanks here): no letters survive.
        var letters = new CtcDecoding(model.Alphabet, CtcDecoder.Viterbi, OcrConstraints.Build(model.Alphabet, pattern: "[a-z]{6}"), beam: 1e-6);
        var reading = model.Read([line], letters, nbest: 2)[0];
        Assert.True(reading.HasReading, reading.NoReading);
        Assert.Matches("^[a-z]{6}$", reading.Text);
        Assert.Equal(2, reading.NBest!.Count);
        Assert.All(reading.NBest, a => Assert.Matches("^[a-z]{6}$", a.Text));
        // And the narrow beam does not change an unconstrained reading.
        Assert.Equal(sample.Text, model.Read([line], new CtcDecoding(model.Alphabet, CtcDecoder.Viterbi, OcrConstraints.None, beam: 1e-6))[0].Text);
    }

    [Fact]
    public void Without_constraints_the_n_best_head_is_the_greedy_reading()
    {
        var sample = Sample(digits: false);
        var (model, line) = Crnn(sample);
        using var _ = model;
        var reading = model.Read([line], new CtcDecoding(model.Alphabet), nbest: 4)[0];
        Assert.Equal(sample.Text, reading.Text);
        Assert.Equal(4, reading.NBest!.Count);
        Assert.Equal(reading.Text, reading.NBest[0].Text);
        Assert.Null(model.Read([line], new CtcDecoding(model.Alphabet))[0].NBest);
    }

    [Fact]
    public void A_word_list_keeps_readings_to_its_words()
    {
        var sample = Sample(digits: false);
        var (model, line) = Crnn(sample);
        using var _ = model;
        var lexicon = Path.Combine(_folder, "words.txt");
        File.WriteAllText(lexicon, "Time Tame\nRead Road Bead\nHe Me We\n");
        var reading = model.Read([line], new CtcDecoding(model.Alphabet, CtcDecoder.Viterbi, OcrConstraints.Build(model.Alphabet, lexicon: lexicon)), nbest: 3)[0];
        Assert.Equal(sample.Text, reading.Text);
        Assert.Equal("crnn-ctc/viterbi+lexicon", reading.Method);
        var words = new HashSet<string>(File.ReadAllText(lexicon).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        Assert.All(reading.NBest!, a => Assert.All(a.Text.Split(' '), w => Assert.Contains(w, words)));

        // Without "Read" in the list, the reading takes the nearest listed word.
        File.WriteAllText(lexicon, "Time He Road Bead");
        var other = model.Read([line], new CtcDecoding(model.Alphabet, CtcDecoder.Viterbi, OcrConstraints.Build(model.Alphabet, lexicon: lexicon)))[0];
        Assert.Matches("^Time (Road|Bead) He$", other.Text);
    }

    [Fact]
    public void A_character_LM_adds_its_weighted_log_probability_to_each_transcriptions_score()
    {
        var sample = Sample(digits: false);
        var (model, line) = Crnn(sample);
        using var _ = model;
        var texts = new[] { "Time Read He", "Time Road He", "Read the time", "He read it" };
        var lm = KneserNeyTrainer.Train(texts.Select(t => LmTokens.Characters(t, lowercase: false)).ToList(), 3);
        var arpa = Path.Combine(_folder, "chars.arpa");
        ArpaFormat.Write(lm, arpa);
        var reloaded = ArpaFormat.Read(arpa);
        const double weight = 0.8;
        var withLm = new CtcDecoding(model.Alphabet, CtcDecoder.Viterbi, OcrConstraints.Build(model.Alphabet, lm: arpa, lmWeight: weight));
        Assert.Equal("viterbi+lm", withLm.Name);
        var plain = model.Read([line], new CtcDecoding(model.Alphabet), nbest: 40)[0].NBest!.ToDictionary(a => a.Text, a => a.Score);
        var reading = model.Read([line], withLm, nbest: 5)[0];
        Assert.Equal(sample.Text, reading.Text);
        // The tokens the acceptor reads for each character (case folded where the LM has only lower case).
        var tokens = NGramAcceptor.CharacterSymbols(reloaded, model.Alphabet.Characters).ToDictionary(p => model.Alphabet.CharOf(p.Label), p => p.Token);
        var compared = 0;
        foreach (var alternative in reading.NBest!)
        {
            if (plain.TryGetValue(alternative.Text, out var acoustic))
            {
                var expected = acoustic + weight * reloaded.LogProbability([.. alternative.Text.Select(c => tokens[c])]);
                Assert.Equal(expected, alternative.Score, 2);
                compared++;
            }
        }
        Assert.True(compared >= 2, $"only {compared} alternatives to compare");
    }

    [Fact]
    public void The_segmentation_recogniser_reads_under_a_pattern_with_distinct_n_best()
    {
        TorchRuntime.Configure(1, 1);
        using var model = SegmentModel.Load(OcrTestSupport.PathOf("models/ocr-segment-seq"));
        var sample = Sample(digits: true);
        var (line, reason) = model.Prepare(sample.Image);
        Assert.True(line is not null, reason);
        var constraints = OcrConstraints.Build(model.Alphabet, pattern: "[0-9]{6}");
        var reading = model.Read(line!, constraints, nbest: 4);
        Assert.Equal("segment/viterbi+pattern", reading.Method);
        Assert.Matches("^[0-9]{6}$", reading.Text);
        Assert.Equal(6, reading.Chars.Count);
        Assert.Equal(reading.Text, reading.NBest![0].Text);
        Assert.Equal(4, reading.NBest.Select(a => a.Text).Distinct().Count());
        Assert.All(reading.NBest, a => Assert.Equal(6, a.Text.Length));
        // Characters come left to right with boxes inside the line.
        Assert.Equal(reading.Chars.Select(c => c.X).Order(), reading.Chars.Select(c => c.X));
    }

    [Fact]
    public void A_character_LM_reranks_the_segmentation_lattice()
    {
        TorchRuntime.Configure(1, 1);
        using var model = SegmentModel.Load(OcrTestSupport.PathOf("models/ocr-segment-seq"));
        var sample = Sample(digits: true);
        var (line, _) = model.Prepare(sample.Image);
        var plain = model.Read(line!, OcrConstraints.None, nbest: 6);
        // An LM that has only ever seen the second-best reading, weighted heavily, makes it the best.
        var target = plain.NBest![1].Text;
        var arpa = Path.Combine(_folder, "digits.arpa");
        ArpaFormat.Write(KneserNeyTrainer.Train(Enumerable.Repeat((IReadOnlyList<string>)LmTokens.Characters(target), 20).ToList(), 3), arpa);
        var reading = model.Read(line!, OcrConstraints.Build(model.Alphabet, lm: arpa, lmWeight: 5), nbest: 3);
        Assert.Equal("segment/viterbi+lm", reading.Method);
        Assert.Equal(target, reading.Text);
        Assert.Equal(target, reading.NBest![0].Text);
        Assert.Equal(target.Length, reading.Chars.Count);
    }

    [Fact]
    public void Bad_constraint_options_are_errors_that_name_the_option_and_file()
    {
        var alphabet = new OcrAlphabet("0123456789 ab");
        Assert.Contains("pattern", Assert.Throws<ArgumentException>(() => OcrConstraints.Build(alphabet, pattern: "[0-9]{2}x")).Message);
        Assert.Contains("charset", Assert.Throws<ArgumentException>(() => OcrConstraints.Build(alphabet, charset: "12€")).Message);
        var words = Path.Combine(_folder, "w.txt");
        File.WriteAllText(words, "ab 12\nba €1\n");
        var lexicon = Assert.Throws<ArgumentException>(() => OcrConstraints.Build(alphabet, lexicon: words)).Message;
        Assert.Contains("w.txt':2", lexicon);
        Assert.Contains("'€'", lexicon);
        File.WriteAllText(words, "  \n");
        Assert.Contains("no word", Assert.Throws<ArgumentException>(() => OcrConstraints.Build(alphabet, lexicon: words)).Message);
        Assert.Contains("missing.arpa", Assert.Throws<ArgumentException>(() => OcrConstraints.Build(alphabet, lm: Path.Combine(_folder, "missing.arpa"))).Message);
        var lm = Path.Combine(_folder, "ok.arpa");
        ArpaFormat.Write(KneserNeyTrainer.Train([["a", "b"]], 2), lm);
        Assert.Contains("lm-weight", Assert.Throws<ArgumentException>(() => OcrConstraints.Build(alphabet, lm: lm, lmWeight: -1)).Message);
        var all = OcrConstraints.Build(alphabet, charset: "12ab ", pattern: "[0-9 ab]+", lexicon: null, lm: lm);
        Assert.Equal("grammar+pattern+lm", all.Name);
        Assert.Equal(3, all.Graphs.Count);
        Assert.True(OcrConstraints.Build(alphabet).IsEmpty);
    }
}
