using System.Text.Json.Nodes;
using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Cli.Tests.Commands;

/// <summary>
/// <c>transcribe FILE…</c> with the committed model and sample, and <c>train speech</c> / <c>eval speech</c> plumbing on
/// a tiny run (accuracy is not asserted here: tests/StreamSeq.Speech.Tests covers learning).
/// </summary>
public sealed class SpeechCommandsTests : IDisposable
{
    private readonly TempDirectory _dir = new("speech");

    public void Dispose() => _dir.Dispose();

    private static string Sample => Repository.PathOf("samples/digits-4271.wav");

    [Fact]
    public async Task Transcribe_reads_the_committed_sample_one_line_per_file()
    {
        var result = await StreamseqCli.RunAsync(Repository.Root, "transcribe", Sample, Sample);
        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal([$"{Sample}\tfour two seven one", $"{Sample}\tfour two seven one"], result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Transcribe_json_gives_word_times_confidences_and_n_best()
    {
        var result = await StreamseqCli.RunAsync(Repository.Root, "transcribe", "--json", "--nbest", "3", "--decoder", "joint-beam", Sample);
        Assert.True(result.ExitCode == 0, result.Describe());
        var line = JsonNode.Parse(result.StdOut)!;
        Assert.Equal(Sample, (string)line["path"]!);
        Assert.Equal("four two seven one", (string)line["text"]!);
        Assert.Equal("joint-beam", (string)line["decoder"]!);
        var words = line["words"]!.AsArray();
        Assert.Equal(["four", "two", "seven", "one"], words.Select(w => (string)w!["word"]!));
        Assert.All(words, w => Assert.InRange((double)w!["start"]!, 0, 1.5));
        Assert.All(words, w => Assert.InRange((double)w!["confidence"]!, 0, 1));
        var nbest = line["nbest"]!.AsArray();
        Assert.InRange(nbest.Count, 2, 3);
        Assert.Equal("four two seven one", (string)nbest[0]!["text"]!);
    }

    [Fact]
    public async Task Transcribe_names_a_missing_or_corrupt_file_and_rejects_an_unknown_decoder()
    {
        var corrupt = _dir["corrupt.wav"];
        await File.WriteAllBytesAsync(corrupt, [.. "RIFF"u8.ToArray(), 9, 9]);
        var result = await StreamseqCli.RunAsync(Repository.Root, "transcribe", _dir["none.wav"], corrupt, Sample);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("none.wav", result.StdErr);
        Assert.Contains("corrupt.wav", result.StdErr);
        Assert.Contains("four two seven one", result.StdOut);
        var decoder = await StreamseqCli.RunAsync(Repository.Root, "transcribe", "--decoder", "psychic", Sample);
        Assert.Equal(2, decoder.ExitCode);
    }

    [Fact]
    public async Task Train_and_eval_speech_run_end_to_end_on_a_tiny_manifest()
    {
        var manifest = _dir["tiny.tsv"];
        await File.WriteAllLinesAsync(manifest, [$"{Sample}\tfour two seven one", $"{Sample}\tfour two seven one"]);
        var model = _dir["model"];
        var train = await ChildProcess.RunAsync(ChildProcess.DotnetHost,
            [StreamseqCli.DllPath, "train", "speech", "--manifest", manifest, "--data", _dir["none"], "--epochs", "2", "--hidden", "16", "--layers", "1", "--out", model, "--augment"],
            Repository.Root, TimeSpan.FromMinutes(3));
        Assert.True(train.ExitCode == 0, train.Describe());
        Assert.True(File.Exists(Path.Combine(model, "speech.pt")));
        Assert.True(File.Exists(Path.Combine(model, "lm.arpa")));
        Assert.Contains("SpeedProbability", (string)JsonNode.Parse(train.StdOut)!["training"]!["waveAugment"]!);
        var eval = await ChildProcess.RunAsync(ChildProcess.DotnetHost,
            [StreamseqCli.DllPath, "eval", "speech", "--manifest", manifest, "--model", model],
            Repository.Root, TimeSpan.FromMinutes(3));
        Assert.True(eval.ExitCode == 0, eval.Describe());
        var report = JsonNode.Parse(eval.StdOut)!;
        var overall = report["overall"]!;
        Assert.Equal(2, (int)overall["utterances"]!);
        Assert.Equal("digits", (string)overall["kind"]!);
        Assert.Empty(report["subsets"]!.AsArray());
        var methods = overall["methods"]!.AsArray().Select(m => (string)m!["method"]!).ToList();
        Assert.Equal(["ctc-greedy", "ctc-beam", "ctc-beam-lm", "ctc-grammar", "attention-greedy", "attention-beam", "joint-beam", "pocketsphinx"], methods);
        Assert.Equal("jsgf-digits", (string)overall["methods"]![7]!["search"]!);
        Assert.All(overall["methods"]!.AsArray(), m => Assert.InRange((double)m!["wer"]!, 0, 10));
        Assert.All(overall["methods"]!.AsArray(), m => Assert.True((double)m!["realTimeFactor"]! > 0));
    }
}
