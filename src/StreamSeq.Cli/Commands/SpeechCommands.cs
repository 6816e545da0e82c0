using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamSeq.Audio.Baselines;
using StreamSeq.Audio.Data;
using StreamSeq.Learning;
using StreamSeq.Speech;
using StreamSeq.Speech.Decoding;
using StreamSeq.Speech.Evaluation;
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
    internal static readonly JsonSerializerOptions Compact = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

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
        var augment = new Option<bool>("--augment") { Description = "Augment waveforms on the fly (speed 0.9-1.1, rooms, noise and babble at 0-20 dB SNR, telephone band, level, clipping) besides SpecAugment" };
        var command = new Command("speech", "Train the speech recogniser: conv + BiGRU encoder, CTC head and attention decoder, jointly (seeded, with progress)")
        {
            manifests, data, output, epochs, batch, rate, ctcWeight, maxSeconds, limit, seed, threads, hidden, layers, lmOrder, from, augment,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var settings = new SpeechTrainingSettings(result.GetValue(epochs), result.GetValue(batch), result.GetValue(rate), result.GetValue(ctcWeight),
                Seed: result.GetValue(seed), MaxSeconds: result.GetValue(maxSeconds), WaveAugment: result.GetValue(augment) ? new WaveAugmentOptions() : null);
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
                examples = await SpeechTrainer.PrepareAsync(entries, model.Tokenizer, done => loading.Report(done), cancellationToken, keepSamples: settings.WaveAugment is not null).ConfigureAwait(false);
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
                // A checkpoint after every epoch (written beside and renamed over), so a run stopped early
                // leaves a model that train speech --from can continue.
                model.Save(result.GetValue(output)!, new JsonObject { ["partial"] = true, ["epochsDone"] = epoch, ["from"] = result.GetValue(from), ["manifests"] = JsonSerializer.SerializeToNode(manifestPaths) }, []);
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
                ["waveAugment"] = settings.WaveAugment?.ToString(),
                ["maxSeconds"] = settings.MaxSeconds,
                ["seed"] = settings.Seed,
                ["parameters"] = model.ParameterCount,
                ["from"] = result.GetValue(from),
                ["earlierTraining"] = model.Checkpoint?.Training.DeepClone(),
                ["trainedAt"] = DateTime.UtcNow.ToString("O"),
                ["log"] = JsonSerializer.SerializeToNode(log, Compact),
            };
            // The starting model's figures describe that model, not this one: kept apart, under their own name.
            var metrics = model.Checkpoint is { Metrics.Count: > 0 } started ? new JsonObject { ["fromModel"] = started.Metrics.DeepClone() } : [];
            model.Save(result.GetValue(output)!, training, metrics);
            Console.Error.WriteLine($"train speech: saved {result.GetValue(output)} ({model.ParameterCount:N0} parameters); score it with ./streamseq eval speech --model {result.GetValue(output)}");
            Console.WriteLine(new JsonObject { ["model"] = result.GetValue(output), ["training"] = training }.ToJsonString(Indented));
            return ExitCodes.Success;
        });
        return command;
    }
}

/// <summary><c>transcribe FILE…</c> and <c>eval speech</c>.</summary>
internal static class SpeechRecognitionCommands
{
    public static Command Transcribe()
    {
        var files = new Argument<string[]>("files") { Description = "Audio files: WAV (any rate, channels, sample format) or anything ffmpeg decodes (video, mp3, …)", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model") { Description = "Model folder", DefaultValueFactory = _ => ShippedModels.Find(SpeechCommands.DefaultModel) };
        var json = new Option<bool>("--json") { Description = "JSON lines with word times and confidences" };
        var decoder = new Option<string>("--decoder") { Description = "ctc-greedy, ctc-beam (with the model's LM), ctc-grammar, attention-greedy, attention-beam or joint-beam", DefaultValueFactory = _ => "ctc-beam" };
        var beam = new Option<int>("--beam") { Description = "Beam width", DefaultValueFactory = _ => 8 };
        var nbest = new Option<int>("--nbest") { Description = "Alternatives per file (beam decoders; shown with --json)", DefaultValueFactory = _ => 1 };
        var lmWeight = new Option<double>("--lm-weight") { Description = "Weight of the character LM in ctc-beam (0: none)", DefaultValueFactory = _ => 0.5 };
        var lengthPenalty = new Option<double>("--length-penalty") { Description = "α of the attention beam's length penalty", DefaultValueFactory = _ => 0.6 };
        var threads = new Option<int>("--threads") { Description = "Torch threads (0: all cores)", DefaultValueFactory = _ => 1 };
        var command = new Command("transcribe", "Transcribe audio files in one process: one line per file, path<TAB>text (or --json). Exit status: 0 when every file was read, 1 when any file was missing, corrupt or not audio (each is named on stderr), 2 for bad options")
        {
            files, model, json, decoder, beam, nbest, lmWeight, lengthPenalty, threads,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            SpeechDecoding decoding;
            try
            {
                decoding = new SpeechDecoding(SpeechDecoding.ParseDecoder(result.GetValue(decoder)!), result.GetValue(beam), result.GetValue(nbest), result.GetValue(lmWeight), LengthPenalty: result.GetValue(lengthPenalty));
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"streamseq transcribe: --decoder: {e.Message}");
                return ExitCodes.Invalid;
            }
            if (decoding.BeamSize < 1 || decoding.NBest < 1 || decoding.LmWeight < 0)
            {
                Console.Error.WriteLine("streamseq transcribe: --beam and --nbest are >= 1, --lm-weight >= 0");
                return ExitCodes.Invalid;
            }
            TorchRuntime.Configure(1, result.GetValue(threads));
            SpeechModel speech;
            try
            {
                speech = SpeechModel.Load(result.GetValue(model)!);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                Console.Error.WriteLine($"streamseq transcribe: {e.Message}");
                return ExitCodes.Failed;
            }
            using var owned = speech;
            if (decoding.Decoder == SpeechDecoder.CtcGrammar && speech.Grammar is null)
            {
                Console.Error.WriteLine($"streamseq transcribe: the model in {result.GetValue(model)} has no grammar for ctc-grammar");
                return ExitCodes.Invalid;
            }
            var transcriber = new FileTranscriber(speech, decoding);
            var failed = false;
            foreach (var path in result.GetValue(files)!)
            {
                Transcript transcript;
                var clock = System.Diagnostics.Stopwatch.StartNew();
                try
                {
                    transcript = await transcriber.TranscribeAsync(path, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or InvalidDataException or StreamSeq.Audio.Wav.AudioFormatException)
                {
                    Console.Error.WriteLine($"streamseq transcribe: {e.Message}");
                    failed = true;
                    continue;
                }
                if (result.GetValue(json))
                {
                    var node = JsonSerializer.SerializeToNode(transcript, SpeechCommands.Compact)!.AsObject();
                    node.Remove("source");
                    node.Insert(0, "path", path);
                    node["ms"] = Math.Round(clock.Elapsed.TotalMilliseconds, 1);
                    Console.WriteLine(node.ToJsonString(SpeechCommands.Compact));
                }
                else
                {
                    Console.WriteLine($"{path}\t{transcript.Text}");
                    if (transcript.NoTranscript is not null)
                    {
                        Console.Error.WriteLine($"streamseq transcribe: {path}: {transcript.NoTranscript}");
                    }
                }
            }
            return failed ? ExitCodes.Failed : ExitCodes.Success;
        });
        return command;
    }

    public static Command Eval()
    {
        var data = new Option<string>("--data") { Description = "A folder with a manifest (test.tsv, else manifest.tsv) of audio<TAB>text[<TAB>subset] lines", DefaultValueFactory = _ => SpeechCommands.DefaultData };
        var manifest = new Option<string?>("--manifest") { Description = "An audio<TAB>text[<TAB>subset] manifest to score instead of the one in --data" };
        var model = new Option<string>("--model") { Description = "Model folder", DefaultValueFactory = _ => ShippedModels.Find(SpeechCommands.DefaultModel) };
        var limit = new Option<int>("--limit") { Description = "Score at most this many utterances (0: all)", DefaultValueFactory = _ => 0 };
        var decoders = new Option<string>("--decoders") { Description = "Comma-separated decoders to score (all: every one the model has)", DefaultValueFactory = _ => "all" };
        var beam = new Option<int>("--beam") { Description = "Beam width of the beam decoders", DefaultValueFactory = _ => 8 };
        var lmWeight = new Option<double>("--lm-weight") { Description = "LM weight of ctc-beam-lm", DefaultValueFactory = _ => 0.5 };
        var tokenBonus = new Option<double>("--token-bonus") { Description = "Per-character bonus of ctc-beam-lm", DefaultValueFactory = _ => 1.0 };
        var lengthPenalty = new Option<double>("--length-penalty") { Description = "α of the attention beam's length penalty", DefaultValueFactory = _ => 0.6 };
        var pocketsphinx = new Option<bool>("--pocketsphinx") { Description = "Also score PocketSphinx on the same audio: digit grammar for digit subsets, the model's grammar where it covers a subset, its general en-us LM otherwise", DefaultValueFactory = _ => true };
        var threads = new Option<int>("--threads") { Description = "Torch threads (0: all cores)", DefaultValueFactory = _ => 1 };
        var command = new Command("speech", "Score the speech recogniser's decoders and PocketSphinx on a manifest, over all and per subset: JSON with WER, CER, sentence error and real-time factor")
        {
            data, manifest, model, limit, decoders, beam, lmWeight, tokenBonus, lengthPenalty, pocketsphinx, threads,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            TorchRuntime.Configure(1, result.GetValue(threads));
            var folder = result.GetValue(data)!;
            var manifestPath = result.GetValue(manifest)
                ?? (File.Exists(Path.Combine(folder, "test.tsv")) || !File.Exists(Path.Combine(folder, "manifest.tsv")) ? Path.Combine(folder, "test.tsv") : Path.Combine(folder, "manifest.tsv"));
            var beamSize = result.GetValue(beam);
            List<SpeechDecoding> decodings;
            try
            {
                decodings = ParseDecodings(result.GetValue(decoders)!, beamSize, result.GetValue(lmWeight), result.GetValue(tokenBonus), result.GetValue(lengthPenalty));
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"streamseq eval speech: --decoders: {e.Message}");
                return ExitCodes.Invalid;
            }
            if (beamSize < 1 || result.GetValue(limit) < 0)
            {
                Console.Error.WriteLine("streamseq eval speech: --beam >= 1, --limit >= 0");
                return ExitCodes.Invalid;
            }
            List<(string Audio, string Text, string Subset)> entries;
            SpeechModel speech;
            try
            {
                entries = [.. SpeechDataGenerator.ReadManifestWithSubsets(manifestPath)];
                speech = SpeechModel.Load(result.GetValue(model)!);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                Console.Error.WriteLine($"streamseq eval speech: {e.Message}{(e is FileNotFoundException or DirectoryNotFoundException ? " (run ./streamseq data speech and train speech first)" : "")}");
                return ExitCodes.Failed;
            }
            using var owned = speech;
            if (result.GetValue(limit) > 0)
            {
                entries = [.. entries.Take(result.GetValue(limit))];
            }
            if (result.GetValue(decoders) == "all" && speech.Lm is null)
            {
                decodings.RemoveAll(d => d.Decoder == SpeechDecoder.CtcBeam && d.LmWeight > 0);
            }
            SpeechEvaluationReport report;
            try
            {
                report = await SpeechEvaluation.RunAsync(speech, result.GetValue(model)!, manifestPath, entries,
                    new SpeechEvaluationOptions { Decodings = decodings, PocketSphinx = result.GetValue(pocketsphinx) }, Console.Error, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or StreamSeq.Audio.Wav.AudioFormatException)
            {
                Console.Error.WriteLine($"streamseq eval speech: {e.Message}");
                return ExitCodes.Failed;
            }
            var node = JsonSerializer.SerializeToNode(report, SpeechCommands.Indented)!.AsObject();
            node["cores"] = Environment.ProcessorCount;
            Console.WriteLine(node.ToJsonString(SpeechCommands.Indented));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>"all" or a comma-separated list of decoder names, with the beam settings given.</summary>
    internal static List<SpeechDecoding> ParseDecodings(string names, int beam, double lmWeight, double tokenBonus, double lengthPenalty)
    {
        string[] all = ["ctc-greedy", "ctc-beam", "ctc-beam-lm", "ctc-grammar", "attention-greedy", "attention-beam", "joint-beam"];
        var list = names.Trim() == "all" ? all : names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return [.. list.Select(n => SpeechDecoding.ParseDecoder(n) switch
        {
            SpeechDecoder.CtcBeam when n.Equals("ctc-beam-lm", StringComparison.OrdinalIgnoreCase) => new SpeechDecoding(SpeechDecoder.CtcBeam, beam, LmWeight: lmWeight, TokenBonus: tokenBonus),
            SpeechDecoder.CtcBeam => new SpeechDecoding(SpeechDecoder.CtcBeam, beam, LmWeight: 0),
            SpeechDecoder.AttentionBeam => new SpeechDecoding(SpeechDecoder.AttentionBeam, beam, LengthPenalty: lengthPenalty),
            SpeechDecoder.JointBeam => new SpeechDecoding(SpeechDecoder.JointBeam, beam, LengthPenalty: lengthPenalty),
            var d => new SpeechDecoding(d),
        })];
    }
}
