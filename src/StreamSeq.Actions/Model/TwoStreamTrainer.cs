using StreamSeq.Learning;
using TorchSharp;
using static TorchSharp.torch;

namespace StreamSeq.Actions.Model;

/// <summary>Settings of one training run.</summary>
public sealed record TrainingSettings(int Epochs = 10, int BatchSize = 64, double LearningRate = 2e-3, int Seed = 1)
{
    /// <summary>Train the spatial stream.</summary>
    public bool Spatial { get; init; } = true;

    /// <summary>Train the temporal stream.</summary>
    public bool Temporal { get; init; } = true;

    /// <summary>Training stops early on a stream once its training accuracy reaches this (1 disables).</summary>
    public double StopAtTrainAccuracy { get; init; } = 1.0;
}

/// <summary>What training one stream did, epoch by epoch.</summary>
public sealed record StreamTrainingLog(string Stream, IReadOnlyList<double> Loss, IReadOnlyList<double> TrainAccuracy, double Seconds);

/// <summary>
/// Trains both streams of a <see cref="TwoStreamModel"/> separately (as in the paper), with Adam and a
/// step decay of the learning rate. The spatial stream learns from one random frame per clip and step, the
/// temporal stream from one random stack of L flow fields: clips are sampled anew every epoch.
/// </summary>
public static class TwoStreamTrainer
{
    public static IReadOnlyList<StreamTrainingLog> Train(TwoStreamModel model, IReadOnlyList<(ClipTensors Clip, int Label)> data, TrainingSettings settings, TextWriter? progress = null)
    {
        if (data.Count == 0)
        {
            throw new ArgumentException("no training clips", nameof(data));
        }
        var tooShort = data.FirstOrDefault(d => d.Clip.Flows < model.StackLength);
        if (tooShort.Clip is not null)
        {
            throw new InvalidDataException($"training clips need at least {model.StackLength + 1} frames; one has {tooShort.Clip.Frames}");
        }
        var logs = new List<StreamTrainingLog>();
        if (settings.Spatial)
        {
            logs.Add(TrainStream(model.Spatial, "spatial", data, settings, progress, (clip, random) =>
            {
                var t = random.Next(clip.Frames);
                return clip.Spatial.AsSpan(t * ClipFeatures.PlaneSize, ClipFeatures.PlaneSize);
            }));
        }
        if (settings.Temporal)
        {
            logs.Add(TrainStream(model.Temporal, "temporal", data, settings, progress, (clip, random) =>
            {
                var start = random.Next(clip.Flows - model.StackLength + 1);
                return model.StackInput(clip, start);
            }));
        }
        return logs;
    }

    private delegate ReadOnlySpan<float> SampleInput(ClipTensors clip, Random random);

    private static StreamTrainingLog TrainStream(StreamNet net, string name, IReadOnlyList<(ClipTensors Clip, int Label)> data, TrainingSettings settings, TextWriter? progress, SampleInput sample)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var random = new Random(settings.Seed * 7919 + name.Length);
        var channels = net.InputChannels;
        var inputSize = channels * ClipFeatures.PlaneSize;
        var batches = (data.Count + settings.BatchSize - 1) / settings.BatchSize;
        var bar = progress is null ? null : new TrainingProgress(progress, $"train {name,-8}", (long)settings.Epochs * batches);
        using var optimizer = new RaceFreeAdam(net.parameters(), settings.LearningRate);
        using var guard = new NonFiniteGuard($"train {name}", net, optimizer);
        var losses = new List<double>();
        var accuracies = new List<double>();
        var order = Enumerable.Range(0, data.Count).ToArray();
        var buffer = new float[settings.BatchSize * inputSize];
        var labels = new long[settings.BatchSize];
        for (var epoch = 0; epoch < settings.Epochs; epoch++)
        {
            var rate = epoch >= (int)Math.Ceiling(settings.Epochs * 0.7) ? settings.LearningRate * 0.2 : settings.LearningRate;
            optimizer.LearningRate = rate * guard.LearningRateScale;
            random.Shuffle(order);
            net.train();
            double lossSum = 0;
            long counted = 0;
            long correct = 0;
            for (var b = 0; b < batches; b++)
            {
                var count = Math.Min(settings.BatchSize, data.Count - (b * settings.BatchSize));
                for (var i = 0; i < count; i++)
                {
                    var (clip, label) = data[order[(b * settings.BatchSize) + i]];
                    sample(clip, random).CopyTo(buffer.AsSpan(i * inputSize, inputSize));
                    labels[i] = label;
                }
                using (var scope = torch.NewDisposeScope())
                {
                    var input = torch.tensor(buffer.AsSpan(0, count * inputSize).ToArray(), [count, channels, ClipFeatures.Side, ClipFeatures.Side]);
                    var target = torch.tensor(labels.AsSpan(0, count).ToArray());
                    var logits = net.forward(input);
                    var loss = torch.nn.functional.cross_entropy(logits, target);
                    optimizer.zero_grad();
                    loss.backward();
                    var value = loss.item<float>();
                    if (guard.TryStep(value, epoch + 1, ((long)epoch * batches) + b + 1))
                    {
                        lossSum += value * count;
                        counted += count;
                    }
                    correct += logits.argmax(1).eq(target).sum().item<long>();
                }
                bar?.Report(((long)epoch * batches) + b + 1, $"epoch {epoch + 1}/{settings.Epochs}{guard.Status}");
            }
            losses.Add(counted == 0 ? double.NaN : Math.Round(lossSum / counted, 4));
            accuracies.Add(Math.Round(correct / (double)data.Count, 4));
            progress?.WriteLine($"train {name}: epoch {epoch + 1}/{settings.Epochs} loss {losses[^1]:0.000} train accuracy {accuracies[^1]:P1}");
            if (accuracies[^1] >= settings.StopAtTrainAccuracy)
            {
                break;
            }
        }
        net.eval();
        return new StreamTrainingLog(name, losses, accuracies, Math.Round(clock.Elapsed.TotalSeconds, 1));
    }
}
