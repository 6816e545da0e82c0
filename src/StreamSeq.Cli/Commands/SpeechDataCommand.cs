using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using StreamSeq.Audio.Data;

namespace StreamSeq.Cli.Commands;

/// <summary>
/// <c>streamseq data speech</c>: synthesises a spoken-digits-and-commands data set with espeak-ng (train and
/// held-out-voice test splits, <c>audio&lt;TAB&gt;text</c> manifests), with progress on stderr.
/// </summary>
internal static class SpeechDataCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out", "-o") { Description = "Output directory", DefaultValueFactory = _ => "data/speech" };
        var train = new Option<int>("--train") { Description = "Training utterances", DefaultValueFactory = _ => 400 };
        var test = new Option<int>("--test") { Description = "Test utterances (held-out voices)", DefaultValueFactory = _ => 100 };
        var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };
        var rate = new Option<int>("--sample-rate") { Description = "Sample rate of the WAVs", DefaultValueFactory = _ => 16000 };
        var noise = new Option<double>("--noise") { Description = "Share of utterances with added noise (0..1)", DefaultValueFactory = _ => 0.7 };
        var reverb = new Option<double>("--reverb") { Description = "Share of utterances with reverberation (0..1)", DefaultValueFactory = _ => 0.5 };
        var commands = new Option<double>("--commands") { Description = "Share of command phrases; the rest are digit strings (0..1)", DefaultValueFactory = _ => 0.3 };
        var voices = new Option<string>("--voices") { Description = "espeak: espeak-ng voices only; extended: many more espeak-ng variants and festival's diphone voices to train, festival's HTS voice held out", DefaultValueFactory = _ => "espeak" };
        var festivalShare = new Option<double>("--festival-share") { Description = "Share of utterances spoken by festival when a split has festival voices (0..1)", DefaultValueFactory = _ => 0.35 };
        var command = new Command("speech", "Synthesise spoken digit strings and command phrases with espeak-ng and festival (train/test manifests, held-out test voices)")
        {
            output, train, test, seed, rate, noise, reverb, commands, voices, festivalShare,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var options = new SpeechDataOptions
            {
                Output = result.GetValue(output)!,
                TrainCount = result.GetValue(train),
                TestCount = result.GetValue(test),
                Seed = result.GetValue(seed),
                SampleRate = result.GetValue(rate),
                NoiseShare = result.GetValue(noise),
                ReverbShare = result.GetValue(reverb),
                CommandShare = result.GetValue(commands),
                FestivalShare = result.GetValue(festivalShare),
            };
            switch (result.GetValue(voices))
            {
                case "espeak":
                    break;
                case "extended":
                    options = options with { TrainVoices = SpeechVocabulary.ExtendedTrainVoices, TestVoices = SpeechVocabulary.ExtendedTestVoices };
                    break;
                default:
                    Console.Error.WriteLine("data speech: --voices is espeak or extended");
                    return ExitCodes.Invalid;
            }
            if (options.FestivalShare is < 0 or > 1)
            {
                Console.Error.WriteLine("data speech: --festival-share within 0..1");
                return ExitCodes.Invalid;
            }
            if (options.TrainCount < 0 || options.TestCount < 0 || options.SampleRate is < 8000 or > 192000
                || options.NoiseShare is < 0 or > 1 || options.ReverbShare is < 0 or > 1 || options.CommandShare is < 0 or > 1)
            {
                Console.Error.WriteLine("data speech: counts must be >= 0, --sample-rate 8000..192000, shares within 0..1");
                return ExitCodes.Invalid;
            }
            var clock = Stopwatch.StartNew();
            var interactive = !Console.IsErrorRedirected;
            var lastPrinted = TimeSpan.Zero;
            var progress = new SynchronousProgress(p =>
            {
                // Redraw in place on a terminal; a log gets a line every few seconds and at the end.
                if (interactive)
                {
                    Console.Error.Write($"\rdata speech: {p.Done}/{p.Total} utterances");
                }
                else if (clock.Elapsed - lastPrinted > TimeSpan.FromSeconds(5) || p.Done == p.Total)
                {
                    lastPrinted = clock.Elapsed;
                    Console.Error.WriteLine($"data speech: {p.Done}/{p.Total} utterances");
                }
            });
            try
            {
                var (trainSet, testSet) = await new SpeechDataGenerator(options).GenerateAsync(progress, cancellationToken).ConfigureAwait(false);
                if (interactive)
                {
                    Console.Error.WriteLine();
                }
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"data speech: {trainSet.Count} train + {testSet.Count} test utterances in {options.Output} ({clock.Elapsed.TotalSeconds:F1} s); manifests train.tsv, test.tsv"));
                return ExitCodes.Success;
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or StreamSeq.Audio.Wav.AudioFormatException)
            {
                Console.Error.WriteLine($"data speech: {e.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }

    /// <summary><c>data speech-asterisk</c>: manifests of real human prompts (Debian's Asterisk English sounds) for validation and fine-tuning.</summary>
    public static Command CreateAsterisk()
    {
        var output = new Option<string>("--out", "-o") { Description = "Output directory", DefaultValueFactory = _ => "data/asterisk" };
        var strings = new Option<int>("--strings") { Description = "Digit strings spliced from the ten digit recordings", DefaultValueFactory = _ => 60 };
        var seed = new Option<int>("--seed") { Description = "Random seed of the spliced strings", DefaultValueFactory = _ => 1 };
        var command = new Command("speech-asterisk", "Manifests of real speech from asterisk-core-sounds-en(-g722): test.tsv (digits, spliced digit strings, every third prompt) and finetune.tsv (the other prompts)")
        {
            output, strings, seed,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (result.GetValue(strings) < 0)
            {
                Console.Error.WriteLine("data speech-asterisk: --strings >= 0");
                return ExitCodes.Invalid;
            }
            try
            {
                var summary = await AsteriskPromptSet.BuildAsync(new AsteriskPromptOptions { Output = result.GetValue(output)!, DigitStrings = result.GetValue(strings), Seed = result.GetValue(seed) }, cancellationToken).ConfigureAwait(false);
                Console.Error.WriteLine($"data speech-asterisk: {summary.Test} held-out utterances (test.tsv), {summary.FineTune} for fine-tuning (finetune.tsv), {summary.Skipped} transcript lines skipped, in {result.GetValue(output)}");
                return ExitCodes.Success;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or StreamSeq.Audio.Wav.AudioFormatException)
            {
                Console.Error.WriteLine($"data speech-asterisk: {e.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class SynchronousProgress(Action<(int Done, int Total)> report) : IProgress<(int Done, int Total)>
    {
        private readonly Lock _gate = new();

        public void Report((int Done, int Total) value)
        {
            lock (_gate)
            {
                report(value);
            }
        }
    }
}
