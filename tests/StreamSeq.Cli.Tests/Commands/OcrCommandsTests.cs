using System.Text.Json.Nodes;
using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Cli.Tests.Commands;

/// <summary>
/// <c>ocr IMAGE…</c> with the committed model and samples, and the data/train/eval plumbing on a tiny run
/// (accuracy is not asserted here: tests/StreamSeq.Ocr.Tests covers learning).
/// </summary>
public sealed class OcrCommandsTests : IDisposable
{
    private readonly TempDirectory _dir = new("ocr");

    public void Dispose() => _dir.Dispose();

    private static IReadOnlyList<(string Image, string Text)> Samples() =>
        [.. File.ReadAllLines(Repository.PathOf("samples/ocr/labels.tsv")).Where(l => l.Length > 0)
            .Select(l => l.Split('\t')).Select(p => (Repository.PathOf(Path.Combine("samples/ocr", p[0])), p[1]))];

    [Fact]
    public async Task Ocr_reads_the_committed_samples_one_line_per_image()
    {
        var samples = Samples();
        var result = await StreamseqCli.RunAsync(Repository.Root, ["ocr", .. samples.Select(s => s.Image)]);
        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal(samples.Select(s => $"{s.Image}\t{s.Text}"), result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("models/ocr-digits", "digits.png")]
    [InlineData("models/ocr-printed", "printed.png")]
    [InlineData("models/ocr-printed-fast", "printed.png")]
    [InlineData("models/ocr-printed-docs", "printed.png")]
    public async Task The_committed_models_for_one_kind_of_line_read_their_sample(string model, string image)
    {
        var sample = Samples().Single(s => Path.GetFileName(s.Image) == image);
        var result = await StreamseqCli.RunAsync(Repository.Root, "ocr", "--model", model, sample.Image);
        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal($"{sample.Image}\t{sample.Text}", result.StdOut.Trim());
    }

    [Fact]
    public async Task Ocr_reads_many_images_in_groups_in_the_order_given_and_reports_missing_ones_in_place()
    {
        var samples = Samples();
        // More than one group of 256, with missing images in the first group and at the start of the second.
        var paths = Enumerable.Range(0, 300).Select(i => samples[i % samples.Count].Image).ToList();
        paths.Insert(1, _dir["gone-1.png"]);
        paths.Insert(257, _dir["gone-2.png"]);
        var result = await StreamseqCli.RunAsync(Repository.Root, ["ocr", "--nbest", "2", .. paths]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'" + _dir["gone-1.png"] + "' does not exist", result.StdErr);
        Assert.Contains("'" + _dir["gone-2.png"] + "' does not exist", result.StdErr);
        // The best reading's line is the one with two fields; n-best alternatives follow it with a score.
        var best = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Split('\t').Length == 2).ToList();
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"{samples[i % samples.Count].Image}\t{samples[i % samples.Count].Text}"), best);
    }

    [Fact]
    public async Task Ocr_json_gives_confidences_and_boxes_and_blank_images_say_why_nothing_was_read()
    {
        var sample = Samples()[0];
        var blank = _dir["blank.png"];
        using (var image = new OpenCvSharp.Mat(40, 120, OpenCvSharp.MatType.CV_8UC1, new OpenCvSharp.Scalar(255)))
        {
            OpenCvSharp.Cv2.ImWrite(blank, image);
        }
        var result = await StreamseqCli.RunAsync(Repository.Root, "ocr", "--json", "--decoder", "viterbi", sample.Image, blank);
        Assert.True(result.ExitCode == 0, result.Describe());
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(sample.Text, (string)lines[0]["text"]!);
        Assert.Equal("crnn-ctc/viterbi", (string)lines[0]["method"]!);
        var chars = lines[0]["chars"]!.AsArray();
        Assert.Equal(sample.Text.Length, chars.Count);
        Assert.All(chars, c => Assert.InRange((double)c!["confidence"]!, 0, 1));
        Assert.All(chars, c => Assert.True((int)c!["width"]! > 0));
        Assert.Equal("", (string)lines[1]["text"]!);
        Assert.StartsWith("blank image", (string)lines[1]["noReading"]!);
    }

    [Fact]
    public async Task Ocr_rejects_a_missing_image_and_a_charset_outside_the_alphabet()
    {
        var missing = await StreamseqCli.RunAsync(Repository.Root, "ocr", _dir["none.png"]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("does not exist", missing.StdErr);
        var charset = await StreamseqCli.RunAsync(Repository.Root, "ocr", "--charset", "12€", Samples()[0].Image);
        Assert.Equal(2, charset.ExitCode);
        Assert.Contains("'€'", charset.StdErr);
        var method = await StreamseqCli.RunAsync(Repository.Root, "ocr", "--method", "hmm", Samples()[0].Image);
        Assert.Equal(2, method.ExitCode);
    }

    [Fact]
    public async Task Ocr_exits_1_when_an_image_is_too_large_or_not_an_image_and_still_reads_the_others()
    {
        // A PNG header declaring 30000x30000 pixels (33 bytes): refused from the header, before any decoding.
        var huge = _dir["huge.png"];
        var header = new byte[33];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' }.CopyTo(header, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(16), 30000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(20), 30000);
        header[24] = 8;
        File.WriteAllBytes(huge, header);
        var text = _dir["notes.png"];
        File.WriteAllText(text, "not an image");
        var sample = Samples()[0];

        var result = await StreamseqCli.RunAsync(Repository.Root, "ocr", huge, sample.Image, text);

        Assert.True(result.ExitCode == 1, result.Describe());
        Assert.Contains($"{sample.Image}\t{sample.Text}", result.StdOut);
        Assert.Contains("30000x30000 is larger than the limit", result.StdErr);
        Assert.Contains("notes.png' is not an image", result.StdErr);
        Assert.Contains("cannot read", result.StdErr);
    }

    [Fact]
    public async Task Ocr_with_the_segmentation_recogniser_reads_digits_with_one_box_per_digit()
    {
        var digits = Samples().First(s => s.Text.All(char.IsAsciiDigit));
        var result = await StreamseqCli.RunAsync(Repository.Root, "ocr", "--method", "segment", "--json", digits.Image);
        Assert.True(result.ExitCode == 0, result.Describe());
        var reading = JsonNode.Parse(result.StdOut)!;
        Assert.Equal("segment/viterbi", (string)reading["method"]!);
        var text = (string)reading["text"]!;
        Assert.True(text.Length > 0 && text.All(char.IsAsciiDigit), text);
        Assert.Equal(text.Length, reading["chars"]!.AsArray().Count);
    }

    [Fact]
    public async Task Data_train_and_eval_ocr_run_end_to_end_on_a_tiny_set()
    {
        var mnist = Repository.PathOf(".cache/data/mnist");
        var data = await StreamseqCli.RunAsync(_dir.Path, "data", "ocr", "--mnist", mnist, "--train-digits", "8", "--train-printed", "8", "--test-digits", "3", "--test-printed", "3", "-o", "set");
        Assert.True(data.ExitCode == 0, data.Describe());
        Assert.Equal(16, File.ReadAllLines(_dir["set/train.tsv"]).Length);

        var train = await StreamseqCli.RunAsync(_dir.Path, "train", "ocr", "--data", "set", "--epochs", "1", "--batch", "8", "--width", "4", "--hidden", "8", "-o", "model");
        Assert.True(train.ExitCode == 0, train.Describe());
        Assert.True(File.Exists(_dir["model/crnn.pt"]));
        var report = JsonNode.Parse(train.StdOut)!;
        Assert.Equal(2, (int)report["training"]!["log"]!["steps"]!);
        Assert.Equal(3, (int)report["test"]!["printed"]!["lines"]!);

        var eval = await StreamseqCli.RunAsync(_dir.Path, "eval", "ocr", "--data", "set", "--model", "model", "--segment-model", "none", "--sequence-model", "none", "--passes", "2");
        Assert.True(eval.ExitCode == 0, eval.Describe());
        var figures = JsonNode.Parse(eval.StdOut)!;
        foreach (var set in new[] { "handwrittenDigits", "printed" })
        {
            var methods = figures[set]!["methods"]!.AsObject();
            Assert.Contains("crnn-ctc/greedy", methods.Select(m => m.Key));
            Assert.Contains("crnn-ctc/viterbi", methods.Select(m => m.Key));
            Assert.InRange((double)methods["crnn-ctc/greedy"]!["cer"]!, 0, 10);
            // Viterbi through the lattice and greedy decoding read the same.
            Assert.Equal(1.0, (double)figures[set]!["latticeViterbiAgreesWithGreedy"]!);
        }
        Assert.Contains("crnn-ctc/viterbi+grammar", figures["handwrittenDigits"]!["methods"]!.AsObject().Select(m => m.Key));
        Assert.Contains("tesseract", figures["printed"]!["methods"]!.AsObject().Select(m => m.Key));
        Assert.Contains("tesseract/whitelist", figures["handwrittenDigits"]!["methods"]!.AsObject().Select(m => m.Key));
        // Two timing passes: each method lists both, reports their median, and is set against Tesseract pass by pass.
        var greedyPrinted = figures["printed"]!["methods"]!["crnn-ctc/greedy"]!;
        var passes = greedyPrinted["linesPerSecondPasses"]!.AsArray().Select(v => (double)v!).ToList();
        Assert.Equal(2, passes.Count);
        Assert.Equal((passes[0] + passes[1]) / 2, (double)greedyPrinted["linesPerSecond"]!, 6);
        Assert.True((double)figures["printed"]!["speedAgainstTesseract"]!["crnn-ctc/greedy"]! > 0);
        Assert.Null(figures["printed"]!["speedAgainstTesseract"]!["tesseract"]);

        var bad = _dir.Write("bad.tsv", "set/images/test/digits/00000.png\t12é\n");
        var rejected = await StreamseqCli.RunAsync(_dir.Path, "train", "ocr", "--list", bad, "--epochs", "1", "-o", "model2");
        Assert.NotEqual(0, rejected.ExitCode);
        Assert.Contains("bad.tsv:1", rejected.StdErr);
        Assert.Contains("'é'", rejected.StdErr);

        // Continuing on newly drawn lines only: no list is read, every epoch is checkpointed and counted.
        var fresh = await StreamseqCli.RunAsync(_dir.Path, "train", "ocr", "--from", "model", "--data", "set", "--mnist", mnist,
            "--fresh-handwritten", "6", "--fresh-printed", "2", "--epochs", "2", "--batch", "4", "--side-margin", "0.3", "-o", "model3");
        Assert.True(fresh.ExitCode == 0, fresh.Describe());
        var freshTraining = JsonNode.Parse(fresh.StdOut)!["training"]!;
        Assert.Equal(6, (int)freshTraining["freshHandwrittenPerEpoch"]!);
        Assert.Equal(12.0, (double)freshTraining["digitDistortion"]!["maxRotationDegrees"]!);
        Assert.Empty(freshTraining["lists"]!.AsArray());
        Assert.Equal(2, freshTraining["log"]!["epochLoss"]!.AsArray().Count);
        Assert.Equal("model", (string)freshTraining["from"]!);
        Assert.Equal(0.3, (double)JsonNode.Parse(File.ReadAllText(_dir["model3/model.json"]))!["settings"]!["sideMargin"]!);

        // Pruned to a narrower model before training on: the sizes and where they came from are recorded.
        var pruned = await StreamseqCli.RunAsync(_dir.Path, "train", "ocr", "--from", "model", "--data", "set", "--epochs", "1", "--batch", "8", "--width", "3", "--hidden", "6", "-o", "model4");
        Assert.True(pruned.ExitCode == 0, pruned.Describe());
        var prunedJson = JsonNode.Parse(File.ReadAllText(_dir["model4/model.json"]))!;
        Assert.Equal((3, 6), ((int)prunedJson["settings"]!["width"]!, (int)prunedJson["settings"]!["hidden"]!));
        Assert.Equal(4, (int)prunedJson["training"]!["prunedFrom"]!["width"]!);
        Assert.NotNull(prunedJson["training"]!["earlierTraining"]);
        var widened = await StreamseqCli.RunAsync(_dir.Path, "train", "ocr", "--from", "model", "--data", "set", "--epochs", "1", "--width", "5", "-o", "model5");
        Assert.NotEqual(0, widened.ExitCode);
        Assert.Contains("may only prune", widened.StdErr);

        // A model per set: each set is read by its own model and the report names it.
        var perSet = await StreamseqCli.RunAsync(_dir.Path, "eval", "ocr", "--data", "set", "--model", "model", "--printed-model", "model3",
            "--no-tesseract", "--segment-model", "none", "--sequence-model", "none", "--margin-model", "none");
        Assert.True(perSet.ExitCode == 0, perSet.Describe());
        var perSetFigures = JsonNode.Parse(perSet.StdOut)!;
        Assert.Equal("model", (string)perSetFigures["handwrittenDigits"]!["model"]!);
        Assert.Equal("model3", (string)perSetFigures["printed"]!["model"]!);
        Assert.DoesNotContain("tesseract", perSetFigures["printed"]!["methods"]!.AsObject().Select(m => m.Key));

        var bench = await StreamseqCli.RunAsync(_dir.Path, "bench", "ocr", "--data", "set", "--model", "model3", "--lines", "3", "--trials", "1", "--lm", "none");
        Assert.True(bench.ExitCode == 0, bench.Describe());
        var speed = JsonNode.Parse(bench.StdOut)!["printed"]!;
        Assert.True((double)speed["msPerLine"]!["network"]! > 0);
        Assert.Contains("tesseract, 2 processes", speed["linesPerSecond"]!.AsObject().Select(m => m.Key));
        Assert.True((double)speed["linesPerSecond"]!["crnn greedy, 2 threads"]! > 0);
    }
}
