using System.Text.Json.Nodes;
using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Cli.Tests.Commands;

/// <summary><c>ocr</c> with --pattern, --lexicon, --lm and --nbest; <c>train ocr-lm</c>; and the committed
/// pipelines/ocr-lattice.json run to its end.</summary>
public sealed class OcrConstraintCommandsTests : IDisposable
{
    private readonly TempDirectory _dir = new("ocrlm");

    public void Dispose() => _dir.Dispose();

    private static string Digits => Repository.PathOf("samples/ocr/digits.png");

    private static string Printed => Repository.PathOf("samples/ocr/printed.png");

    [Fact]
    public async Task Ocr_with_a_pattern_and_nbest_lists_distinct_matching_alternatives()
    {
        var result = await StreamseqCli.RunAsync(Repository.Root, "ocr", "--json", "--pattern", "[0-9]{3,8}", "--nbest", "3", Digits);
        Assert.True(result.ExitCode == 0, result.Describe());
        var reading = JsonNode.Parse(result.StdOut)!;
        Assert.Equal("357537", (string)reading["text"]!);
        Assert.Equal("crnn-ctc/viterbi+pattern", (string)reading["method"]!);
        var nbest = reading["nbest"]!.AsArray();
        Assert.Equal(3, nbest.Count);
        Assert.Equal("357537", (string)nbest[0]!["text"]!);
        Assert.Equal(3, nbest.Select(n => (string)n!["text"]!).Distinct().Count());
        Assert.All(nbest, n => Assert.Matches("^[0-9]{3,8}$", (string)n!["text"]!));

        var text = await StreamseqCli.RunAsync(Repository.Root, "ocr", "--method", "segment", "--pattern", "[0-9]{6}", "--nbest", "2", Digits);
        Assert.True(text.ExitCode == 0, text.Describe());
        var lines = text.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches("\t[0-9]{6}$", lines[0]);
        Assert.Matches("\t[0-9]{6}\t-[0-9.]+$", lines[1]);

        var bad = await StreamseqCli.RunAsync(Repository.Root, "ocr", "--pattern", "[0-9", Digits);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--pattern", bad.StdErr);
        Assert.Contains("'[' without a matching ']'", bad.StdErr);
    }

    [Fact]
    public async Task Ocr_with_a_word_list_and_a_character_LM_trained_by_train_ocr_lm()
    {
        var list = _dir.Write("lines.tsv", $"{Printed}\tTime Read He\n{Digits}\t357537\n");
        var lexicon = _dir.Write("words.txt", "Time Tame\nRoad Read\nHe We\n");
        var train = await StreamseqCli.RunAsync(_dir.Path, "train", "ocr-lm", "--list", list, "--order", "3", "-o", "lm/chars.arpa");
        Assert.True(train.ExitCode == 0, train.Describe());
        var report = JsonNode.Parse(train.StdOut)!;
        Assert.Equal(2, (int)report["lines"]!);
        Assert.True(File.Exists(_dir["lm/chars.arpa"]));

        var result = await StreamseqCli.RunAsync(_dir.Path, "ocr", "--model", Repository.PathOf("models/ocr"), "--json", "--lexicon", lexicon, "--lm", "lm/chars.arpa", "--lm-weight", "0.3", Printed);
        Assert.True(result.ExitCode == 0, result.Describe());
        var reading = JsonNode.Parse(result.StdOut)!;
        Assert.Equal("Time Read He", (string)reading["text"]!);
        Assert.Equal("crnn-ctc/viterbi+lexicon+lm", (string)reading["method"]!);

        var missing = await StreamseqCli.RunAsync(_dir.Path, "ocr", "--model", Repository.PathOf("models/ocr"), "--lm", "none.arpa", Printed);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("none.arpa", missing.StdErr);
        var empty = await StreamseqCli.RunAsync(_dir.Path, "train", "ocr-lm", "--list", list, "--only", "printed");
        Assert.Equal(2, empty.ExitCode);
        Assert.Contains("no printed lines", empty.StdErr);
    }

    [Fact]
    public async Task The_committed_ocr_lattice_pipeline_runs_to_its_end()
    {
        var output = _dir["ocr-lattice.jsonl"];
        var result = await StreamseqCli.RunAsync(Repository.Root, "run", "pipelines/ocr-lattice.json", "--set", $"file.path={output}");
        Assert.True(result.ExitCode == 0, result.Describe());
        var transcripts = File.ReadAllLines(output).Select(l => JsonNode.Parse(l)!).ToList();
        var labels = File.ReadAllLines(Repository.PathOf("samples/ocr/labels.tsv")).Where(l => l.Length > 0).Select(l => l.Split('\t')[1]).ToList();
        Assert.Equal(labels, transcripts.Select(t => (string)t["text"]!));
        Assert.All(transcripts, t => Assert.Equal(3, t["nbest"]!.AsArray().Count));
        Assert.All(transcripts, t => Assert.Equal("crnn-ctc/viterbi", (string)t["method"]!));
    }
}
