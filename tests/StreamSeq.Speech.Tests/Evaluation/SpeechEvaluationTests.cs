using System.Diagnostics;
using StreamSeq.Audio.Baselines;
using StreamSeq.Audio.Wav;
using StreamSeq.Speech.Decoding;
using StreamSeq.Speech.Evaluation;
using StreamSeq.Speech.Model;
using StreamSeq.Speech.Tests.Support;

namespace StreamSeq.Speech.Tests.Evaluation;

public sealed class SpeechEvaluationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("streamseq-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Subsets_are_digits_grammar_or_open()
    {
        var grammar = new GrammarSpec(["one", "two", "four", "seven"], 3, ["stop", "go home"], []);
        Assert.Equal(SpeechEvaluation.Digits, SpeechEvaluation.KindOf(["one two", "nine nine nine nine nine"], grammar));
        Assert.Equal(SpeechEvaluation.Grammar, SpeechEvaluation.KindOf(["one two", "go home"], grammar));
        // Longer than the grammar's digit strings, or a word outside it: open.
        Assert.Equal(SpeechEvaluation.Open, SpeechEvaluation.KindOf(["stop", "one two four seven"], grammar));
        Assert.Equal(SpeechEvaluation.Open, SpeechEvaluation.KindOf(["press one"], grammar));
        Assert.Equal(SpeechEvaluation.Open, SpeechEvaluation.KindOf(["stop"], null));
    }

    [Fact]
    public async Task Each_subset_is_scored_apart_with_pocketsphinx_searching_as_the_subset_needs()
    {
        // The sample says "four two seven one" (espeak-ng); a second copy as float stereo, and one transcribed
        // as an open-vocabulary sentence.
        var sample = WavReader.ReadFile(Repo.Sample);
        var copy = Path.Combine(_dir, "copy.wav");
        WavWriter.WriteFile(copy, new StreamSeq.Audio.AudioBuffer([.. sample.Samples.SelectMany(s => new[] { s, s })], sample.SampleRate, 2), WavSampleFormat.Float32);
        var args = Path.Combine(_dir, "args.txt");
        var program = FakePocketSphinx(args, "four two seven one");
        using var model = SpeechModel.Load(Repo.Model);
        List<(string, string, string)> entries =
        [
            (Repo.Sample, "four two seven one", "synthetic-digits"),
            (copy, "four two seven one", "synthetic-digits"),
            (Repo.Sample, "for two seven won", "sentences"),
        ];

        var report = await SpeechEvaluation.RunAsync(model, "models/speech", "m.tsv", entries, new SpeechEvaluationOptions
        {
            Decodings = [new SpeechDecoding(SpeechDecoder.CtcGrammar), new SpeechDecoding(SpeechDecoder.CtcGreedy)],
            PocketSphinxOptions = new PocketSphinxOptions { Executable = program },
        });

        Assert.Empty(report.Notes);
        Assert.Equal(3, report.Overall.Utterances);
        Assert.Equal("mixed", report.Overall.Kind);
        Assert.Equal(["synthetic-digits", "sentences"], report.Subsets.Select(s => s.Subset));
        Assert.Equal([SpeechEvaluation.Digits, SpeechEvaluation.Open], report.Subsets.Select(s => s.Kind));
        var digits = report.Subsets[0];
        Assert.Equal(["ctc-grammar", "ctc-greedy", "pocketsphinx"], digits.Methods.Select(m => m.Method));
        // The shipped model reads its own sample right under its grammar, in either format.
        Assert.Equal(0, digits.Methods[0].Wer);
        Assert.Equal(0, digits.Methods[0].SentenceError);
        Assert.Equal(2 * sample.Duration.TotalSeconds, digits.AudioSeconds, 1);
        var sphinxDigits = digits.Methods[2];
        Assert.Equal(("jsgf-digits", 0.0), (sphinxDigits.Search, sphinxDigits.Wer));
        // The same hypothesis against the sentence's reference: 2 substitutions of 4 words.
        var sphinxSentences = report.Subsets[1].Methods[2];
        Assert.Equal(("lm-en-us", 0.5, 1.0), (sphinxSentences.Search, sphinxSentences.Wer, sphinxSentences.SentenceError));
        Assert.Equal("jsgf-digits+lm-en-us", report.Overall.Methods[2].Search);
        Assert.Equal(2.0 / 12, report.Overall.Methods[2].Wer, 4); // 2 edits over 12 reference words
        // One decoder run per subset: a grammar for the digits, the general LM and full dictionary for the rest.
        var runs = File.ReadAllLines(args);
        Assert.Equal(2, runs.Length);
        Assert.Contains("-jsgf", runs[0]);
        Assert.Contains("-lm", runs[1]);
        Assert.Contains(new PocketSphinxOptions().LanguageModel, runs[1]);
        Assert.DoesNotContain("-jsgf", runs[1]);
    }

    [Fact]
    public async Task A_missing_pocketsphinx_is_noted_and_the_model_still_scored()
    {
        using var model = SpeechModel.Load(Repo.Model);
        var report = await SpeechEvaluation.RunAsync(model, "m", "m.tsv", [(Repo.Sample, "four two seven one", "all")], new SpeechEvaluationOptions
        {
            PocketSphinxOptions = new PocketSphinxOptions { Executable = "/nonexistent/pocketsphinx_batch" },
        });
        Assert.Empty(report.Subsets);
        Assert.Equal(["ctc-grammar"], report.Overall.Methods.Select(m => m.Method));
        Assert.Contains(report.Notes, n => n.StartsWith("pocketsphinx: skipped", StringComparison.Ordinal));
    }

    // A stand-in for pocketsphinx_batch: logs its arguments, answers every utterance with the same words.
    private string FakePocketSphinx(string argsFile, string words)
    {
        var path = Path.Combine(_dir, "fake-pocketsphinx.sh");
        File.WriteAllText(path, $$"""
            #!/bin/sh
            echo "$@" >> '{{argsFile}}'
            while [ $# -gt 0 ]; do
              case "$1" in -ctl) ctl="$2" ;; -hyp) hyp="$2" ;; esac
              shift
            done
            while read id; do echo "{{words}} ($id -100)"; done < "$ctl" > "$hyp"
            """);
        using var chmod = Process.Start("chmod", ["+x", path]);
        chmod.WaitForExit();
        return path;
    }
}
