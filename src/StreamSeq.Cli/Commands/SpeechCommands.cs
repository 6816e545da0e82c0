using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamSeq.Audio.Baselines;
using StreamSeq.Audio.Data;
using StreamSeq.Learning;
using StreamSeq.Speech;
using StreamSeq.Speech.Decoding;
using StreamSeq.Speech.Model;
using StreamSeq.Speech.Training;
using StreamSeq.Text.LanguageModels;
using StreamSeq.Text.Metrics;
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
            var metrics = model.Checkpoint?.Metrics.DeepClone().AsObject() ?? [];
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
        var model = new Option<string>("--model") { Description = "Model folder", DefaultValueFactory = _ => SpeechCommands.DefaultModel };
        var json = new Option<bool>("--json") { Description = "JSON lines with word times and confidences" };
        var decoder = new Option<string>("--decoder") { Description = "ctc-greedy, ctc-beam (with the model's LM), ctc-grammar, attention-greedy, attention-beam or joint-beam", DefaultValueFactory = _ => "ctc-beam" };
        var beam = new Option<int>("--beam") { Description = "Beam width", DefaultValueFactory = _ => 8 };
        var nbest = new Option<int>("--nbest") { Description = "Alternatives per file (beam decoders; shown with --json)", DefaultValueFactory = _ => 1 };
        var lmWeight = new Option<double>("--lm-weight") { Description = "Weight of the character LM in ctc-beam (0: none)", DefaultValueFactory = _ => 0.5 };
        var lengthPenalty = new Option<double>("--length-penalty") { Description = "α of the attention beam's length penalty", DefaultValueFactory = _ => 0.6 };
        var threads = new Option<int>("--threads") { Description = "Torch threads (0: all cores)", DefaultValueFactory = _ => 1 };
        var command = new Command("transcribe", "Transcribe audio files in one process: one line per file, path<TAB>text (or --json)")
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
        var data = new Option<string>("--data") { Description = "The generated data set's folder (its test.tsv: held-out voices)", DefaultValueFactory = _ => SpeechCommands.DefaultData };
        var manifest = new Option<string?>("--manifest") { Description = "An audio<TAB>text manifest to score instead of DATA/test.tsv" };
        var model = new Option<string>("--model") { Description = "Model folder", DefaultValueFactory = _ => SpeechCommands.DefaultModel };
        var limit = new Option<int>("--limit") { Description = "Score at most this many utterances (0: all)", DefaultValueFactory = _ => 0 };
        var beam = new Option<int>("--beam") { Description = "Beam width of the beam decoders", DefaultValueFactory = _ => 8 };
        var lmWeight = new Option<double>("--lm-weight") { Description = "LM weight of ctc-beam-lm", DefaultValueFactory = _ => 0.5 };
        var tokenBonus = new Option<double>("--token-bonus") { Description = "Per-character bonus of ctc-beam-lm", DefaultValueFactory = _ => 1.0 };
        var lengthPenalty = new Option<double>("--length-penalty") { Description = "α of the attention beam's length penalty", DefaultValueFactory = _ => 0.6 };
        var pocketsphinx = new Option<bool>("--pocketsphinx") { Description = "Also score PocketSphinx with a JSGF grammar of the same vocabulary", DefaultValueFactory = _ => true };
        var threads = new Option<int>("--threads") { Description = "Torch threads (0: all cores)", DefaultValueFactory = _ => 1 };
        var command = new Command("speech", "Score the speech recogniser's decoders and PocketSphinx on held-out audio: JSON with WER, CER and real-time factor")
        {
            data, manifest, model, limit, beam, lmWeight, tokenBonus, lengthPenalty, pocketsphinx, threads,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            TorchRuntime.Configure(1, result.GetValue(threads));
            var manifestPath = result.GetValue(manifest) ?? Path.Combine(result.GetValue(data)!, "test.tsv");
            List<(string Audio, string Text)> entries;
            SpeechModel speech;
            try
            {
                entries = [.. SpeechDataGenerator.ReadManifest(manifestPath)];
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
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var audio = new List<float[]>(entries.Count);
            foreach (var (path, _) in entries)
            {
                audio.Add(await SpeechAudio.LoadAsync(path, SpeechModel.SampleRate, cancellationToken).ConfigureAwait(false));
            }
            var audioSeconds = audio.Sum(a => (double)a.Length) / SpeechModel.SampleRate;
            clock.Restart();
            var features = audio.Select(a => SpeechModel.Featurize(a)).ToList();
            var featureSeconds = clock.Elapsed.TotalSeconds;
            var references = entries.Select(e => e.Text).ToList();
            var methods = new JsonArray();
            var beamSize = result.GetValue(beam);
            var decodings = new List<SpeechDecoding>
            {
                new(SpeechDecoder.CtcGreedy),
                new(SpeechDecoder.CtcBeam, beamSize, LmWeight: 0),
            };
            if (speech.Lm is not null)
            {
                decodings.Add(new(SpeechDecoder.CtcBeam, beamSize, LmWeight: result.GetValue(lmWeight), TokenBonus: result.GetValue(tokenBonus)));
            }
            if (speech.Grammar is not null)
            {
                decodings.Add(new(SpeechDecoder.CtcGrammar));
            }
            decodings.Add(new(SpeechDecoder.AttentionGreedy));
            decodings.Add(new(SpeechDecoder.AttentionBeam, beamSize, LengthPenalty: result.GetValue(lengthPenalty)));
            decodings.Add(new(SpeechDecoder.JointBeam, beamSize, LengthPenalty: result.GetValue(lengthPenalty)));
            foreach (var decoding in decodings)
            {
                var name = decoding.Name(speech.Lm is not null);
                Console.Error.WriteLine($"eval speech: {name} on {entries.Count} utterances ({audioSeconds:0} s of audio)");
                clock.Restart();
                var transcripts = new List<Transcript>(features.Count);
                for (var start = 0; start < features.Count; start += 16)
                {
                    transcripts.AddRange(speech.Transcribe(features.Skip(start).Take(16).ToList(), decoding));
                }
                var seconds = clock.Elapsed.TotalSeconds + featureSeconds;
                methods.Add(Score(name, references, transcripts.Select(t => t.Text).ToList(), seconds, audioSeconds));
            }
            if (result.GetValue(pocketsphinx))
            {
                try
                {
                    using var sphinx = PocketSphinx.Create(speech.Grammar is { } g ? new SpeechGrammar
                    {
                        Digits = g.DigitWords.Count > 0 ? (1, g.MaxDigits) : SpeechGrammar.NoDigits,
                        Phrases = g.Phrases,
                    } : new SpeechGrammar());
                    Console.Error.WriteLine($"eval speech: pocketsphinx (JSGF grammar) on {entries.Count} utterances");
                    var recognised = await sphinx.RecogniseAsync([.. entries.Select(e => e.Audio)], cancellationToken).ConfigureAwait(false);
                    methods.Add(Score("pocketsphinx+jsgf", references, [.. recognised.Hypotheses], recognised.Elapsed.TotalSeconds, audioSeconds));
                }
                catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException)
                {
                    Console.Error.WriteLine($"eval speech: pocketsphinx skipped: {e.Message}");
                }
            }
            var report = new JsonObject
            {
                ["model"] = result.GetValue(model),
                ["manifest"] = manifestPath,
                ["utterances"] = entries.Count,
                ["audioSeconds"] = Math.Round(audioSeconds, 1),
                ["cores"] = Environment.ProcessorCount,
                ["methods"] = methods,
            };
            Console.WriteLine(report.ToJsonString(SpeechCommands.Indented));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>WER, CER and sentence error over all utterances and over the digit strings alone, and the real-time factor.</summary>
    private static JsonObject Score(string name, IReadOnlyList<string> references, IReadOnlyList<string> hypotheses, double seconds, double audioSeconds)
    {
        var all = new ErrorRateAccumulator();
        var digits = new ErrorRateAccumulator();
        var digitWords = SpeechVocabulary.DigitWords.ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < references.Count; i++)
        {
            all.Add(references[i], hypotheses[i]);
            if (ErrorRate.Words(references[i]).All(digitWords.Contains))
            {
                digits.Add(references[i], hypotheses[i]);
            }
        }
        return new JsonObject
        {
            ["method"] = name,
            ["wer"] = Math.Round(all.Wer, 4),
            ["cer"] = Math.Round(all.Cer, 4),
            ["sentenceError"] = Math.Round(all.SentenceErrorRate, 4),
            ["digitStrings"] = new JsonObject { ["utterances"] = digits.Pairs, ["wer"] = Math.Round(digits.Wer, 4), ["cer"] = Math.Round(digits.Cer, 4) },
            ["seconds"] = Math.Round(seconds, 2),
            ["realTimeFactor"] = Math.Round(seconds / Math.Max(audioSeconds, 1e-9), 4),
        };
    }
}
