using StreamSeq.Audio.Baselines;
using StreamSeq.Audio.Data;
using StreamSeq.Audio.Tests.Support;
using StreamSeq.Audio.Wav;

namespace StreamSeq.Audio.Tests.Baselines;

public sealed class PocketSphinxTests
{
    private static readonly HashSet<string> DigitWords = [.. SpeechVocabulary.DigitWords];

    [Fact]
    public void The_grammar_of_a_small_spec_has_bounded_digit_strings_and_the_phrases()
    {
        var grammar = new SpeechGrammar { Digits = (1, 3), Phrases = ["Turn on  the light", "yes", "yes"] };
        Assert.Equal(
            "#JSGF V1.0;\n\ngrammar streamseq;\n\n"
            + "public <utterance> = <digits> | <phrase>;\n"
            + "<digits> = <digit> [<digit> [<digit>]];\n"
            + "<digit> = zero | one | two | three | four | five | six | seven | eight | nine;\n"
            + "<phrase> = turn on the light | yes;\n",
            grammar.ToJsgf());
        Assert.Equal(["eight", "five", "four", "light", "nine", "on", "one", "seven", "six", "the", "three", "turn", "two", "yes", "zero"], grammar.Words());
    }

    [Fact]
    public void Digit_only_phrase_only_and_unbounded_grammars()
    {
        var digits = SpeechGrammar.DigitStrings(2, 2).ToJsgf();
        Assert.Contains("public <utterance> = <digits>;\n<digits> = <digit> <digit>;\n", digits);
        Assert.DoesNotContain("<phrase>", digits);
        Assert.Contains("<digits> = <digit> <digit>*;", SpeechGrammar.DigitStrings(1, int.MaxValue).ToJsgf());
        var phrases = new SpeechGrammar { Digits = SpeechGrammar.NoDigits, Phrases = ["stop", "go"] };
        Assert.Contains("public <utterance> = <phrase>;\n<phrase> = stop | go;\n", phrases.ToJsgf());
        Assert.Equal(["go", "stop"], phrases.Words());
    }

    [Fact]
    public void The_speech_data_grammar_covers_its_digit_lengths_and_commands()
    {
        var grammar = SpeechGrammar.For(new SpeechDataOptions { Digits = (2, 5) });
        Assert.Equal((2, 5), grammar.Digits);
        Assert.Equal(SpeechVocabulary.Words, grammar.Words());
        Assert.Empty(SpeechGrammar.For(new SpeechDataOptions { CommandShare = 0 }).Phrases);
        Assert.Equal(SpeechGrammar.NoDigits, SpeechGrammar.For(new SpeechDataOptions { CommandShare = 1 }).Digits);
    }

    [Fact]
    public void Invalid_grammars_are_rejected_with_the_reason()
    {
        Assert.Contains("neither", Assert.Throws<ArgumentException>(() => new SpeechGrammar { Digits = SpeechGrammar.NoDigits, Phrases = [] }.ToJsgf()).Message);
        Assert.Contains("1 <= min <= max", Assert.Throws<ArgumentException>(() => SpeechGrammar.DigitStrings(3, 2).Words()).Message);
        Assert.Contains("'<b>'", Assert.Throws<ArgumentException>(() => new SpeechGrammar { Phrases = ["a <b>"] }.ToJsgf()).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => new SpeechGrammar { Phrases = ["  "] }.ToJsgf()).Message);
    }

    [Fact]
    public void The_dictionary_keeps_every_pronunciation_of_the_wanted_words_only()
    {
        using var temp = new TempDir();
        var path = temp.File("full.dict");
        File.WriteAllText(path, "on AA N\non(2) AO N\none W AH N\none(2) HH W AH N\noneself W AH N S EH L F\nthe DH AH\n");
        Assert.Equal("on AA N\non(2) AO N\none W AH N\none(2) HH W AH N\n", PronunciationDictionary.Restrict(path, ["one", "on"]));
        Assert.Equal("one", PronunciationDictionary.BaseWord("one(2)"));
        Assert.Equal("(2)", PronunciationDictionary.BaseWord("(2)"));
        Assert.Equal("x(y)", PronunciationDictionary.BaseWord("x(y)"));
    }

    [Fact]
    public void Words_missing_from_the_dictionary_are_named()
    {
        using var temp = new TempDir();
        var path = temp.File("full.dict");
        File.WriteAllText(path, "one W AH N\n");
        var error = Assert.Throws<ArgumentException>(() => PronunciationDictionary.Restrict(path, ["one", "zzyzx", "frobnicate"]));
        Assert.Contains("'frobnicate', 'zzyzx'", error.Message);
        Assert.Contains(path, error.Message);
        Assert.Throws<FileNotFoundException>(() => PronunciationDictionary.Restrict(temp.File("none.dict"), ["one"]));

        var grammar = new SpeechGrammar { Phrases = ["open the zzyzx"] };
        var create = Assert.Throws<ArgumentException>(() => PocketSphinx.Create(grammar));
        Assert.Contains("'zzyzx'", create.Message);
    }

    [Fact]
    public void The_real_dictionary_covers_the_speech_vocabulary()
    {
        using var recogniser = PocketSphinx.Create(new SpeechGrammar());
        var words = File.ReadLines(recogniser.DictionaryFile).Select(l => PronunciationDictionary.BaseWord(l.Split(' ')[0])).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(SpeechVocabulary.Words, words);
        Assert.Equal(new SpeechGrammar().ToJsgf(), File.ReadAllText(recogniser.GrammarFile));
    }

    [Fact]
    public void A_missing_program_or_model_says_what_to_install()
    {
        var program = Assert.Throws<InvalidOperationException>(() => PocketSphinx.Create(new SpeechGrammar(), new PocketSphinxOptions { Executable = "/nonexistent/pocketsphinx_batch" }));
        Assert.Contains("/nonexistent/pocketsphinx_batch", program.Message);
        Assert.Contains("pocketsphinx pocketsphinx-en-us", program.Message);
        var onPath = Assert.Throws<InvalidOperationException>(() => PocketSphinx.Create(new SpeechGrammar(), new PocketSphinxOptions { Executable = "no-such-pocketsphinx-program" }));
        Assert.Contains("pocketsphinx-en-us", onPath.Message);
        var model = Assert.Throws<InvalidOperationException>(() => PocketSphinx.Create(new SpeechGrammar(), new PocketSphinxOptions { ModelDirectory = "/nonexistent/model" }));
        Assert.Contains("/nonexistent/model", model.Message);
        Assert.Contains("pocketsphinx-en-us", model.Message);
    }

    [Fact]
    public void The_program_can_be_overridden_by_the_environment()
    {
        var before = Environment.GetEnvironmentVariable("STREAMSEQ_POCKETSPHINX");
        try
        {
            Environment.SetEnvironmentVariable("STREAMSEQ_POCKETSPHINX", "/opt/sphinx/bin/pocketsphinx_batch");
            Assert.Equal("/opt/sphinx/bin/pocketsphinx_batch", PocketSphinx.DefaultExecutable);
            Environment.SetEnvironmentVariable("STREAMSEQ_POCKETSPHINX", null);
            Assert.Equal("pocketsphinx_batch", PocketSphinx.DefaultExecutable);
        }
        finally
        {
            Environment.SetEnvironmentVariable("STREAMSEQ_POCKETSPHINX", before);
        }
    }

    [Theory]
    [InlineData("four two seven one (u000001 -5265)", "u000001", "four two seven one")]
    [InlineData(" (u000002 32742)", "u000002", "")]
    [InlineData("<s> ONE(2) [NOISE] <sil> two ++um++ </s> (u3 -12)", "u3", "one two")]
    [InlineData("(null) (u4 0)", "u4", "")]
    public void Hypothesis_lines_are_parsed(string line, string id, string text)
    {
        Assert.Equal((id, text), PocketSphinx.ParseHypothesis(line));
    }

    [Theory]
    [InlineData("INFO: batch.c(1): decoding")]
    [InlineData("four two seven one")]
    [InlineData("")]
    public void Other_lines_are_not_hypotheses(string line)
    {
        Assert.Null(PocketSphinx.ParseHypothesis(line));
    }

    [Fact]
    public async Task Digits_are_recognised_from_many_files_of_any_format_in_one_run()
    {
        using var temp = new TempDir();
        var sample = Path.Combine(Repo.Root, "samples", "digits-4271.wav");   // espeak-ng saying "four two seven one"
        var speech = WavReader.ReadFile(sample);
        // The same speech as 8 kHz float stereo, and a second of silence at 22.05 kHz.
        var stereo = speech.Resample(8000);
        WavWriter.WriteFile(temp.File("stereo8k.wav"), new AudioBuffer(Signals.Interleave(stereo.Samples, stereo.Samples), 8000, 2), WavSampleFormat.Float32);
        WavWriter.WriteFile(temp.File("silence.wav"), new AudioBuffer(new float[22050], 22050));
        WavWriter.WriteFile(temp.File("blip.wav"), new AudioBuffer(new float[10], 16000));

        using var recogniser = PocketSphinx.Create(SpeechGrammar.DigitStrings(1, 7));
        var result = await recogniser.RecogniseAsync([sample, temp.File("stereo8k.wav"), temp.File("silence.wav"), temp.File("blip.wav")]);

        Assert.Equal(4, result.Hypotheses.Count);
        foreach (var hypothesis in result.Hypotheses.Take(2))
        {
            var words = hypothesis.Split(' ');
            Assert.True(words.Length >= 3 && words.All(DigitWords.Contains), $"'{hypothesis}' is not a string of 3+ digit words");
        }
        Assert.All(result.Hypotheses.Skip(2), h => Assert.True(h.Length == 0 || h.Split(' ').All(DigitWords.Contains), h));
        Assert.Equal(speech.Duration.TotalSeconds + stereo.Duration.TotalSeconds + 1.0 + (10 / 16000.0), result.AudioSeconds, 2);
        Assert.True(result.DecodeTime > TimeSpan.Zero && result.Elapsed >= result.DecodeTime);
        Assert.True(result.RealTimeFactor > 0);
        Assert.Empty(Directory.GetDirectories(recogniser.WorkFolder, "run-*"));
        Assert.Empty((await recogniser.RecogniseAsync([])).Hypotheses);

        var folder = recogniser.WorkFolder;
        recogniser.Dispose();
        recogniser.Dispose();
        Assert.False(Directory.Exists(folder));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => recogniser.RecogniseAsync([sample]));
    }

    [Fact]
    public async Task An_unreadable_file_is_named()
    {
        using var temp = new TempDir();
        File.WriteAllText(temp.File("not.wav"), "not a wav file");
        using var recogniser = PocketSphinx.Create(SpeechGrammar.DigitStrings(1, 7));
        var error = await Assert.ThrowsAsync<AudioFormatException>(() => recogniser.RecogniseAsync([temp.File("not.wav")]));
        Assert.Contains("not.wav", error.Message);
    }

    [Fact]
    public async Task The_general_language_model_hears_english_words_in_decoded_samples()
    {
        var sample = WavReader.ReadFile(Path.Combine(Repo.Root, "samples", "digits-4271.wav"));
        using var recogniser = PocketSphinx.CreateWithLanguageModel();
        Assert.Null(recogniser.Grammar);
        var result = await recogniser.RecogniseSamplesAsync([sample.ToMono().Resample(PocketSphinx.SampleRate).Samples, new float[8000]]);

        Assert.Equal(2, result.Hypotheses.Count);
        // Any words of its 130 k-word dictionary may come out (on this espeak voice it hears "or do fairly
        // well" for "four two seven one": the general LM is a weak peer on synthetic digits).
        var words = result.Hypotheses[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(words.Length >= 2, $"'{result.Hypotheses[0]}'");
        var dictionary = File.ReadLines(new PocketSphinxOptions().Dictionary).Select(l => PronunciationDictionary.BaseWord(l.Split(' ')[0])).ToHashSet(StringComparer.Ordinal);
        Assert.All(words, w => Assert.Contains(w, dictionary));
        Assert.Equal(sample.Duration.TotalSeconds + 0.5, result.AudioSeconds, 2);
    }

    [Fact]
    public void A_missing_language_model_says_what_to_install()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PocketSphinx.CreateWithLanguageModel(new PocketSphinxOptions { LanguageModel = "/nonexistent/en-us.lm.bin" }));
        Assert.Contains("/nonexistent/en-us.lm.bin", error.Message);
        Assert.Contains("pocketsphinx-en-us", error.Message);
    }

    [Fact]
    public async Task A_failing_decoder_reports_its_exit_and_output()
    {
        using var temp = new TempDir();
        var program = Script(temp, "fail.sh", "echo 'FATAL: model exploded' >&2\nexit 3");
        using var recogniser = PocketSphinx.Create(SpeechGrammar.DigitStrings(1, 7), new PocketSphinxOptions { Executable = program });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => recogniser.RecogniseAsync([Path.Combine(Repo.Root, "samples", "digits-4271.wav")]));
        Assert.Contains("exit 3", error.Message);
        Assert.Contains("model exploded", error.Message);
    }

    [Fact]
    public async Task A_decoder_that_writes_no_hypothesis_names_the_file()
    {
        using var temp = new TempDir();
        var program = Script(temp, "silent.sh", "exit 0");
        using var recogniser = PocketSphinx.Create(SpeechGrammar.DigitStrings(1, 7), new PocketSphinxOptions { Executable = program });
        var sample = Path.Combine(Repo.Root, "samples", "digits-4271.wav");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => recogniser.RecogniseAsync([sample]));
        Assert.Contains(sample, error.Message);
    }

    [Fact]
    public async Task A_hung_decoder_is_killed_at_the_timeout()
    {
        using var temp = new TempDir();
        var pidFile = temp.File("pid");
        var program = Script(temp, "hang.sh", $"echo $$ > '{pidFile}'\nexec sleep 60");
        using var recogniser = PocketSphinx.Create(SpeechGrammar.DigitStrings(1, 7), new PocketSphinxOptions { Executable = program, Timeout = TimeSpan.FromSeconds(1) });
        var error = await Assert.ThrowsAsync<TimeoutException>(() => recogniser.RecogniseAsync([Path.Combine(Repo.Root, "samples", "digits-4271.wav")]));
        Assert.Contains(program, error.Message);
        AssertGone(pidFile);
    }

    [Fact]
    public async Task Cancelling_kills_the_decoder()
    {
        using var temp = new TempDir();
        var pidFile = temp.File("pid");
        var program = Script(temp, "hang.sh", $"echo $$ > '{pidFile}'\nexec sleep 60");
        using var recogniser = PocketSphinx.Create(SpeechGrammar.DigitStrings(1, 7), new PocketSphinxOptions { Executable = program });
        using var cancel = new CancellationTokenSource();
        var run = recogniser.RecogniseAsync([Path.Combine(Repo.Root, "samples", "digits-4271.wav")], cancel.Token);
        // Cancel only once the decoder is running (it wrote its pid).
        for (var i = 0; i < 600 && !(File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n')); i++)
        {
            await Task.Delay(50);
        }
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        AssertGone(pidFile);
    }

    private static string Script(TempDir temp, string name, string body)
    {
        var path = temp.File(name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        Tools.Run("chmod", "+x", path);
        return path;
    }

    private static void AssertGone(string pidFile)
    {
        var pid = File.ReadAllText(pidFile).Trim();
        // Killed and reaped before the exception: no /proc entry, or a zombie at most.
        var status = $"/proc/{pid}/status";
        Assert.True(!File.Exists(status) || File.ReadAllText(status).Contains("State:\tZ", StringComparison.Ordinal), $"process {pid} still runs");
    }
}
