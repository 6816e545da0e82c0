using StreamSeq.Lattice;
using StreamSeq.Learning;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Tests.Support;
using TorchSharp;

namespace StreamSeq.Ocr.Tests.Model;

public sealed class CrnnTests
{
    private static OcrAlphabet Digits { get; } = new("0123456789");

    [Fact]
    public void The_network_maps_a_batch_of_lines_to_one_log_probability_row_per_four_columns()
    {
        TorchRuntime.Configure(1, 1);
        using var net = new CrnnNet(Digits.ClassCount, width: 8, hidden: 16);
        using var input = torch.rand(3, 1, CrnnNet.InputHeight, 96);
        using var output = net.forward(input);
        Assert.Equal([3L, 96 / CrnnNet.ColumnsPerFrame, Digits.ClassCount], output.shape);
        // Rows are log-probabilities.
        using var sums = output.exp().sum(2);
        Assert.All(sums.data<float>().ToArray(), s => Assert.InRange(s, 0.999f, 1.001f));
    }

    [Fact]
    public void A_line_gives_the_same_emissions_alone_as_beside_a_much_wider_line()
    {
        TorchRuntime.Configure(1, 1);
        using var model = CrnnModel.Create(Digits, width: 8, hidden: 16);
        var random = new Random(5);
        var narrow = Lines(random, 1, maxDigits: 1)[0].Line;
        var wide = Lines(random, 1, maxDigits: 12)[0].Line;
        Assert.True(wide.Width > narrow.Width + (8 * CrnnNet.ColumnsPerFrame), "the wide line pads the narrow one by several frames");
        var alone = model.Emissions([narrow])[0];
        var batched = model.Emissions([wide, narrow])[1];
        Assert.Equal(alone.Frames, batched.Frames);
        // The backward GRU starts at the line's own end, not in the batch's padding. What is left is the last
        // conv columns seeing the padding's activations instead of zeros.
        var largest = alone.LogProbs.Zip(batched.LogProbs).Max(p => Math.Abs(p.First - p.Second));
        Assert.InRange(largest, 0, 1e-3f);
        using var input = CrnnModel.Batch([wide, narrow]);
        // Widths are rounded up to a step, so batches of similar lines share one shape.
        Assert.Equal(0, input.shape[3] % CrnnModel.WidthStep);
        Assert.InRange(input.shape[3], wide.Width, wide.Width + CrnnModel.WidthStep - 1);
        Assert.Throws<ArgumentException>(() => model.Net.forward(input, [1L]));
        Assert.Throws<ArgumentException>(() => model.Net.forward(input, [1L, 0L]));
    }

    [Fact]
    public void A_model_saves_and_loads_with_its_alphabet_and_reads_the_same()
    {
        TorchRuntime.Configure(1, 1);
        var folder = OcrTestSupport.TempFolder();
        try
        {
            using var model = CrnnModel.Create(Digits, width: 8, hidden: 16);
            // Saved twice, as training checkpoints do: the second save replaces the first and leaves no scratch files.
            model.Save(folder, new(), new());
            model.Save(folder, new(), new());
            Assert.Equal(["crnn.pt", "model.json"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            using var loaded = CrnnModel.Load(folder);
            Assert.Equal(Digits.Characters, loaded.Alphabet.Characters);
            Assert.Equal(LineImage.DefaultMargin, loaded.SideMargin);
            using var wider = CrnnModel.Load(folder, sideMargin: 0.4);
            Assert.Equal(0.4, wider.SideMargin);
            wider.Save(folder, new(), new());
            using (var reloaded = CrnnModel.Load(folder))
            {
                Assert.Equal(0.4, reloaded.SideMargin);
            }
            var line = Lines(new Random(1), 1)[0].Line;
            var a = model.Emissions([line])[0];
            var b = loaded.Emissions([line])[0];
            Assert.Equal(a.Frames, b.Frames);
            Assert.Equal(a.LogProbs, b.LogProbs);
            var error = Assert.Throws<InvalidDataException>(() => StreamSeq.Learning.Checkpoint.Load(folder, "actions.twostream"));
            Assert.Contains("ocr.crnn", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Decoding_through_the_lattice_matches_greedy_decoding_of_the_same_emissions()
    {
        var random = new Random(11);
        var greedy = new CtcDecoding(Digits);
        var viterbi = new CtcDecoding(Digits, CtcDecoder.Viterbi);
        for (var trial = 0; trial < 30; trial++)
        {
            var frames = random.Next(1, 40);
            var scores = RandomLogProbs(random, frames, Digits.ClassCount, blankBias: trial % 3);
            var library = Ctc.GreedyDecode(scores.Select(s => (double)s).ToArray(), frames, Digits.ClassCount, OcrAlphabet.Blank);
            var (g, _) = greedy.Decode(scores, frames);
            var (v, reason) = viterbi.Decode(scores, frames);
            Assert.Null(reason);
            Assert.Equal(library, g.Select(c => c.Label));
            Assert.Equal(library, v.Select(c => c.Label));
            Assert.Equal(g, v);
        }
    }

    [Fact]
    public void The_model_and_torchs_greedy_arg_max_agree_with_the_lattice_decoders()
    {
        TorchRuntime.Configure(3, 1);
        using var model = CrnnModel.Create(Digits, width: 8, hidden: 16);
        var lines = Lines(new Random(2), 4).Select(l => l.Line).ToList();
        var emissions = model.Emissions(lines);
        using var batch = CrnnModel.Batch(lines);
        using var output = model.Net.forward(batch);
        using var argmax = output.argmax(2);
        var best = argmax.data<long>().ToArray();
        var frames = (int)output.shape[1];
        for (var i = 0; i < lines.Count; i++)
        {
            var torchLabels = Ctc.Collapse(best.Skip(i * frames).Take(emissions[i].Frames).Select(b => (int)b).ToArray(), OcrAlphabet.Blank);
            var (viterbi, _) = new CtcDecoding(Digits, CtcDecoder.Viterbi).Decode(emissions[i].LogProbs, emissions[i].Frames);
            Assert.Equal(torchLabels, viterbi.Select(c => c.Label));
        }
    }

    [Fact]
    public void A_charset_grammar_composed_with_the_topology_rules_out_other_characters()
    {
        var alphabet = new OcrAlphabet("0123456789ab");
        // Frames favour "a 1 b" strongly, with the digits 7 and 3 as runners-up.
        var frames = 5;
        var scores = new float[frames * alphabet.ClassCount];
        Array.Fill(scores, -10f);
        void Set(int t, char c, float value) => scores[(t * alphabet.ClassCount) + alphabet.ClassOf(c)] = value;
        Set(0, 'a', -0.1f);
        Set(0, '7', -3f);
        scores[1 * alphabet.ClassCount] = -0.1f;
        Set(2, '1', -0.1f);
        scores[3 * alphabet.ClassCount] = -0.1f;
        Set(4, 'b', -0.1f);
        Set(4, '3', -3f);
        string Text(IReadOnlyList<(int Label, int, int)> chars) => alphabet.Decode(chars.Select(c => c.Label));

        Assert.Equal("a1b", Text(new CtcDecoding(alphabet).Decode(scores, frames).Chars));
        var digits = new CtcDecoding(alphabet, CtcDecoder.Greedy, CtcDecoding.CharacterSetGrammar(alphabet, "0123456789"));
        Assert.Equal(CtcDecoder.Viterbi, digits.Decoder);
        Assert.Equal("713", Text(digits.Decode(scores, frames).Chars));

        // A grammar nothing fits: "no reading" with the reason, not an exception.
        var onlyZeros = new CtcDecoding(alphabet, CtcDecoder.Viterbi, CtcDecoding.CharacterSetGrammar(alphabet, "0"));
        var (none, reason) = onlyZeros.Decode(new float[0], 0);
        Assert.Empty(none);
        Assert.Contains("grammar", reason);
        Assert.Throws<ArgumentException>(() => CtcDecoding.CharacterSetGrammar(alphabet, "0z"));
    }

    [Fact]
    public void A_blank_image_reads_as_no_reading_with_the_reason()
    {
        TorchRuntime.Configure(1, 1);
        using var model = CrnnModel.Create(Digits, width: 8, hidden: 16);
        using var blank = new OpenCvSharp.Mat(40, 120, OpenCvSharp.MatType.CV_8UC1, new OpenCvSharp.Scalar(255));
        var reading = model.Read(blank, new CtcDecoding(Digits));
        Assert.False(reading.HasReading);
        Assert.StartsWith("blank image", reading.NoReading);
        Assert.Equal("", reading.Text);
    }

    [Fact]
    public void A_short_training_run_learns_to_read_rendered_digit_strings()
    {
        // One thread: several test hosts and builds may share the cores, and spinning torch threads then crawl.
        TorchRuntime.Configure(5, 1);
        var random = new Random(4);
        var data = Lines(random, 12, maxDigits: 3);
        using var model = CrnnModel.Create(Digits, width: 8, hidden: 32);
        var settings = new CrnnTrainingSettings(Epochs: 120, BatchSize: 12, LearningRate: 1e-2, Seed: 1);
        var log = CrnnTrainer.Train(model, data, settings);
        Assert.Equal(120, log.Steps);
        Assert.True(log.EpochLoss[^1] < log.EpochLoss[0] * 0.2, $"loss {string.Join(", ", log.EpochLoss)}");
        // It reads some of the lines it was trained on, and what it reads carries confidences.
        var readings = model.Read([.. data.Select(d => d.Line)], new CtcDecoding(Digits));
        var right = readings.Zip(data).Count(p => p.First.Text == Digits.Decode(p.Second.Labels));
        Assert.True(right >= 3, $"{right}/{data.Count} read right: {string.Join(", ", readings.Select(r => r.Text))}; loss {string.Join(", ", log.EpochLoss)}");
        Assert.All(readings.Where(r => r.HasReading).SelectMany(r => r.Chars), c => Assert.InRange(c.Confidence, 0, 1));
    }

    [Fact]
    public void Training_rejects_a_label_longer_than_the_image_allows()
    {
        TorchRuntime.Configure(1, 1);
        using var model = CrnnModel.Create(Digits, width: 8, hidden: 16);
        var folder = OcrTestSupport.TempFolder();
        try
        {
            using var printed = new PrintedLines();
            using var image = printed.Render(new Random(1), "1");
            var path = Path.Combine(folder, "one.png");
            OpenCvSharp.Cv2.ImWrite(path, image);
            var error = Assert.Throws<AggregateException>(() => CrnnTrainer.Prepare(model, [new LineSample(path, new string('1', 40))]));
            Assert.Contains("frames", error.InnerException!.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Printed digit strings in one clean font: a task a tiny model learns in seconds.</summary>
    private static List<(LineImage Line, int[] Labels)> Lines(Random random, int count, int maxDigits = 4)
    {
        using var printed = new PrintedLines(["/usr/share/fonts/truetype/dejavu"]);
        var lines = new List<(LineImage, int[])>();
        for (var i = 0; i < count; i++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(1, maxDigits + 1)).Select(_ => (char)('0' + random.Next(10))));
            using var image = printed.Render(random, text);
            var (line, reason) = LineImage.Prepare(image, CrnnNet.InputHeight, null, CrnnModel.DefaultStretch);
            Assert.True(line is not null, reason);
            lines.Add((line!, Digits.Encode(text)));
        }
        return lines;
    }

    private static float[] RandomLogProbs(Random random, int frames, int classes, int blankBias)
    {
        var scores = new float[frames * classes];
        for (var t = 0; t < frames; t++)
        {
            var row = scores.AsSpan(t * classes, classes);
            for (var v = 0; v < classes; v++)
            {
                row[v] = (float)(random.NextDouble() * 4) + (v == 0 ? blankBias : 0);
            }
            var max = row.ToArray().Max();
            var log = max + Math.Log(row.ToArray().Sum(x => Math.Exp(x - max)));
            for (var v = 0; v < classes; v++)
            {
                row[v] = (float)(row[v] - log);
            }
        }
        return scores;
    }
}
