using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamSeq.Audio.Data;
using StreamSeq.Learning;
using StreamSeq.Speech.Decoding;
using StreamSeq.Speech.Model;
using StreamSeq.Speech.Training;
using StreamSeq.Text.LanguageModels;
using StreamSeq.Text.Tokenizers;

namespace StreamSeq.Cli.Commands;

/// <summary>
/// <c>train speech</c>: fits the joint CTC/attention recogniser on an <c>audio&lt;TAB&gt;text</c> manifest (by
/// default the one <c>data speech</c> writes), with a character n-gram LM and the grammar of its transcripts.
/// </summary>
internal static class SpeechCommands
{
    internal const string DefaultData = "data/speech";
    internal const string DefaultModel = "models/speech";

    internal static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    internal static readonly JsonSerializerOptions Compact = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Train()
    {
        var manifests = new Option<string[]>("--manifest") { Description = "audio<TAB>text manifests to train on (repeatable; default: DATA/train.tsv)" };
        var data = new Option<string>("--data") { Description = "The generated data set's folder (its test.tsv is scored after each epoch)", DefaultValueFactory = _ => DefaultData };
        var output = new Option<string>("--out", "-o") { Description = "Model folder to write", DefaultValueFactory = _ => DefaultModel };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training utterances", DefaultValueFactory = _ => 20 };
        var batch = new Option<int>("--batch") { Description = "Utterances per step", DefaultValueFactory = _ => 32 };
        var rate = new Option<double>("--lr") { Description = "Adam learning rate (halved at 50% of training, a tenth from 80%)", DefaultValueFactory = _ => 2e-3 };
        var ctcWeight = new Option<double>("--ctc-weight") { Description = "λ of λ·CTC + (1-λ)·attention loss: 1 = CTC only, 0 = attention only", DefaultValueFactory = _ => 0.5 };
        var maxSeconds = new Option<double>("--max-seconds") { Description = "Stop training after this many seconds (0: no limit)", DefaultValueFactory = _ => 0 };
        var limit = new Option<int>("--limit") { Description = "Use at most this many training utterances (0: all)", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Seeds weights, order and masks", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Torch threads (0: all cores)", DefaultValueFactory = _ => 0 };
        var hidden = new Option<int>("--hidden") { Description = "Encoder GRU units per direction (the conv front-end and decoder have as many)", DefaultValueFactory = _ => 128 };
        var layers = new Option<int>("--layers") { Description = "Encoder GRU layers", DefaultValueFactory = _ => 2 };
        var lmOrder = new Option<int>("--lm-order") { Description = "Order of the character n-gram LM fitted to the training transcripts (0: none)", DefaultValueFactory = _ => 6 };
        var from = new Option<string?>("--from") { Description = "Continue training this model (its tokenizer, sizes and LM)" };
        var command = new Command("speech", "Train the speech recogniser: conv + BiGRU encoder, CTC head and attention decoder, jointly (seeded, with progress)")
        {
            manifests, data, output, epochs, batch, rate, ctcWeight, maxSeconds, limit, seed, threads, hidden, layers, lmOrder, from,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var settings = new SpeechTrainingSettings(result.GetValue(epochs), result.GetValue(batch), result.GetValue(rate), result.GetValue(ctcWeight),
                Seed: result.GetValue(seed), MaxSeconds: result.GetValue(maxSeconds));
            if (settings.Epochs < 1 || settings.BatchSize < 1 || settings.LearningRate <= 0 || settings.MaxSeconds < 0 || settings.CtcWeight is < 0 or > 1
                || result.GetValue(hidden) < 8 || result.GetValue(layers) < 1 || result.GetValue(lmOrder) < 0)
            {
                Console.Error.WriteLine("streamseq train speech: --epochs and --batch are >= 1, --lr > 0, --max-seconds >= 0, --ctc-weight within 0..1, --hidden >= 8, --layers >= 1, --lm-order >= 0");
                return ExitCodes.Invalid;
            }
            TorchRuntime.Configure(settings.Seed, result.GetValue(threads));
            var dataRoot = result.GetValue(data)!;
            var manifestPaths = result.GetValue(manifests) is { Length: > 0 } given ? given : [Path.Combine(dataRoot, "train.tsv")];
            List<(string Audio, string Text)> entries;
            try
            {
                entries = [.. manifestPaths.SelectMany(SpeechDataGenerator.ReadManifest)];
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                Console.Error.WriteLine($"streamseq train speech: {e.Message}{(e is FileNotFoundException or DirectoryNotFoundException ? " (run ./streamseq data speech first)" : "")}");
                return ExitCodes.Failed;
            }
            if (result.GetValue(limit) > 0)
            {
                entries = [.. entries.Take(result.GetValue(limit))];
            }
            var transcripts = entries.Select(e => e.Text.ToLowerInvariant()).ToList();
            using var model = result.GetValue(from) is { } start ? SpeechModel.Load(start) : SpeechModel.Create(
                CharTokenizer.Train(transcripts),
                new SpeechNetSizes(result.GetValue(hidden), result.GetValue(hidden), result.GetValue(layers), result.GetValue(hidden)),
                result.GetValue(lmOrder) > 0 ? KneserNeyTrainer.Train(transcripts.Select(t => LmTokens.Characters(t)), result.GetValue(lmOrder)) : null,
                GrammarSpec.FromTranscripts(transcripts, SpeechVocabulary.DigitWords, SpeechVocabulary.Commands));
            IReadOnlyList<SpeechExample> examples, heldOut = [];
            try
            {
                var loading = new TrainingProgress(Console.Error, "load speech", entries.Count);
                examples = await SpeechTrainer.PrepareAsync(entries, model.Tokenizer, done => loading.Report(done), cancellationToken).ConfigureAwait(false);
                var testManifest = Path.Combine(dataRoot, "test.tsv");
                if (File.Exists(testManifest))
                {
                    heldOut = await SpeechTrainer.PrepareAsync([.. SpeechDataGenerator.ReadManifest(testManifest).Take(100)], model.Tokenizer, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or InvalidDataException or StreamSeq.Audio.Wav.AudioFormatException)
            {
                Console.Error.WriteLine($"streamseq train speech: {e.Message}");
                return ExitCodes.Failed;
            }
            string? HeldOut(int epoch)
            {
                if (heldOut.Count == 0)
                {
                    return null;
                }
                var transcripts = model.Transcribe([.. heldOut.Select(h => h.Features)], new SpeechDecoding(SpeechDecoder.CtcGreedy));
                var exact = heldOut.Zip(transcripts).Count(p => p.First.Text == p.Second.Text);
                return $"held-out utterances right (ctc greedy) {exact}/{heldOut.Count}";
            }
            var log = SpeechTrainer.Train(model, examples, settings, Console.Error, HeldOut);
            var training = new JsonObject
            {
                ["manifests"] = JsonSerializer.SerializeToNode(manifestPaths),
                ["utterances"] = examples.Count,
                ["epochs"] = settings.Epochs,
                ["batch"] = settings.BatchSize,
                ["learningRate"] = settings.LearningRate,
                ["ctcWeight"] = settings.CtcWeight,
                ["labelSmoothing"] = settings.LabelSmoothing,
                ["specAugment"] = settings.SpecAugment,
                ["maxSeconds"] = settings.MaxSeconds,
                ["seed"] = settings.Seed,
                ["parameters"] = model.ParameterCount,
                ["from"] = result.GetValue(from),
                ["earlierTraining"] = model.Checkpoint?.Training.DeepClone(),
                ["trainedAt"] = DateTime.UtcNow.ToString("O"),
                ["log"] = JsonSerializer.SerializeToNode(log, Compact),
            };
            var metrics = model.Checkpoint?.Metrics.DeepClone().AsObject() ?? [];
            model.Save(result.GetValue(output)!, training, metrics);
            Console.Error.WriteLine($"train speech: saved {result.GetValue(output)} ({model.ParameterCount:N0} parameters); score it with ./streamseq eval speech --model {result.GetValue(output)}");
            Console.WriteLine(new JsonObject { ["model"] = result.GetValue(output), ["training"] = training }.ToJsonString(Indented));
            return ExitCodes.Success;
        });
        return command;
    }
}
