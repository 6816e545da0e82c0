using System.Diagnostics;
using StreamSeq.Learning;
using StreamSeq.Ocr.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace StreamSeq.Ocr.Model;

/// <summary>Settings of one CTC training run.</summary>
/// <param name="Epochs">Passes over the training lines.</param>
/// <param name="BatchSize">Lines per step.</param>
/// <param name="LearningRate">Adam's rate (divided by 5 for the last 30% of the steps).</param>
/// <param name="Seed">Seeds the order of lines.</param>
/// <param name="MaxSeconds">Stops after this much training time (0: no limit), so a run fits a time budget.</param>
public sealed record CrnnTrainingSettings(int Epochs = 10, int BatchSize = 32, double LearningRate = 2e-3, int Seed = 1, double MaxSeconds = 0);

/// <summary>What a training run did.</summary>
/// <param name="Lines">Training lines per epoch.</param>
/// <param name="Steps">Optimiser steps taken.</param>
/// <param name="EpochLoss">Mean CTC loss per epoch (per target character, torch's mean reduction).</param>
/// <param name="Seconds">Training time.</param>
/// <param name="StoppedEarly">Whether the time budget ended training before the last epoch.</param>
/// <param name="SkippedSteps">Steps skipped because their loss or gradients were not finite.</param>
public sealed record CrnnTrainingLog(int Lines, int Steps, IReadOnlyList<double> EpochLoss, double Seconds, bool StoppedEarly, int SkippedSteps = 0);

/// <summary>
/// Trains a <see cref="CrnnModel"/> with torch's CTC loss on lines of similar widths batched together, Adam,
/// and a step decay of the rate. Lines whose label does not fit the frames they give are reported up front.
/// </summary>
public static class CrnnTrainer
{
    /// <summary>Prepares every line of a list (lines with nothing to read are an error naming the image).</summary>
    public static IReadOnlyList<(LineImage Line, int[] Labels)> Prepare(CrnnModel model, IReadOnlyList<LineSample> samples, Action<int>? progress = null)
    {
        var prepared = new (LineImage, int[])[samples.Count];
        var done = 0;
        Parallel.For(0, samples.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            var sample = samples[i];
            var labels = model.Alphabet.Encode(sample.Text, sample.Image);
            var (line, reason) = model.Prepare(sample.Image);
            if (line is null)
            {
                throw new InvalidDataException($"{sample.Image}: {reason}");
            }
            if (CrnnNet.FramesOf(line.Width) < MinFrames(labels))
            {
                throw new InvalidDataException($"{sample.Image}: '{sample.Text}' needs {MinFrames(labels)} frames but the image gives {CrnnNet.FramesOf(line.Width)}");
            }
            prepared[i] = (line, labels);
            progress?.Invoke(Interlocked.Increment(ref done));
        });
        return prepared;
    }

    /// <summary>Frames CTC needs for a label sequence: one per label plus a blank between equal neighbours.</summary>
    public static int MinFrames(ReadOnlySpan<int> labels)
    {
        var frames = labels.Length;
        for (var i = 1; i < labels.Length; i++)
        {
            if (labels[i] == labels[i - 1])
            {
                frames++;
            }
        }
        return frames;
    }

    /// <summary>Trains <paramref name="model"/> in place.</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="fixedLines">Prepared lines seen every epoch (may be empty when <paramref name="fresh"/> is given).</param>
    /// <param name="settings">Epochs, batch, rate, seed, time budget.</param>
    /// <param name="log">Progress and per-epoch losses.</param>
    /// <param name="fresh">Newly drawn lines added to each epoch.</param>
    /// <param name="epochDone">Called after every epoch with the log so far (to save a checkpoint, say).</param>
    /// <param name="checkpoint">Where <paramref name="epochDone"/> saves, named if training has to stop.</param>
    /// <param name="nonFinite">What to do with steps whose loss or gradients are not finite.</param>
    /// <exception cref="TrainingDivergedException">Steps kept failing after the learning rate was lowered.</exception>
    public static CrnnTrainingLog Train(CrnnModel model, IReadOnlyList<(LineImage Line, int[] Labels)> fixedLines, CrnnTrainingSettings settings, TextWriter? log = null,
        FreshTrainingLines? fresh = null, Action<CrnnTrainingLog>? epochDone = null, string? checkpoint = null, NonFiniteSettings? nonFinite = null)
    {
        var perEpoch = fixedLines.Count + (fresh?.PerEpoch ?? 0);
        if (perEpoch == 0)
        {
            throw new ArgumentException("no training lines", nameof(fixedLines));
        }
        var clock = Stopwatch.StartNew();
        var random = new Random(settings.Seed);
        var batchesPerEpoch = (perEpoch + settings.BatchSize - 1) / settings.BatchSize;
        var totalSteps = (long)settings.Epochs * batchesPerEpoch;
        var bar = log is null ? null : new TrainingProgress(log, "train crnn", totalSteps);
        using var optimizer = new RaceFreeAdam(model.Net.parameters(), settings.LearningRate);
        using var guard = new NonFiniteGuard("train crnn", model.Net, optimizer, nonFinite);
        var losses = new List<double>();
        var steps = 0;
        var stopped = false;
        for (var epoch = 0; epoch < settings.Epochs && !stopped; epoch++)
        {
            model.Net.train();
            var data = fresh is null ? fixedLines : [.. fixedLines, .. fresh.NextEpoch(prefetch: epoch + 1 < settings.Epochs)];
            if (data.Count == 0)
            {
                throw new InvalidDataException("every drawn line of the epoch was too narrow for its label");
            }
            double lossSum = 0;
            var counted = 0;
            var lossCounted = 0;
            foreach (var batch in LengthBatches.Shuffled(data.Count, i => data[i].Line.Width, settings.BatchSize, random))
            {
                var decayed = steps >= totalSteps * 0.7 || (settings.MaxSeconds > 0 && clock.Elapsed.TotalSeconds >= settings.MaxSeconds * 0.7);
                optimizer.LearningRate = (decayed ? settings.LearningRate * 0.2 : settings.LearningRate) * guard.LearningRateScale;
                using (var scope = torch.NewDisposeScope())
                {
                    var lines = batch.Select(i => data[i].Line).ToList();
                    var input = CrnnModel.Batch(lines);
                    var frames = CrnnModel.FrameCounts(lines);
                    var output = model.Net.forward(input, frames);
                    var logProbs = output.permute(1, 0, 2);
                    var targets = torch.tensor(batch.SelectMany(i => data[i].Labels.Select(l => (long)l)).ToArray());
                    var inputLengths = torch.tensor(frames);
                    var targetLengths = torch.tensor(batch.Select(i => (long)data[i].Labels.Length).ToArray());
                    var loss = torch.nn.functional.ctc_loss(logProbs, targets, inputLengths, targetLengths, OcrAlphabet.Blank, zero_infinity: true);
                    optimizer.zero_grad();
                    loss.backward();
                    var value = loss.item<float>();
                    if (guard.TryStep(value, epoch + 1, steps + 1, maxGradNorm: 5.0))
                    {
                        lossSum += value * batch.Count;
                        lossCounted += batch.Count;
                    }
                    counted += batch.Count;
                }
                steps++;
                bar?.Report(steps, $"epoch {epoch + 1}/{settings.Epochs} loss {lossSum / Math.Max(1, lossCounted):0.000}{guard.Status}");
                if (settings.MaxSeconds > 0 && clock.Elapsed.TotalSeconds >= settings.MaxSeconds)
                {
                    stopped = epoch < settings.Epochs - 1 || counted < data.Count;
                    break;
                }
            }
            losses.Add(lossCounted == 0 ? double.NaN : Math.Round(lossSum / lossCounted, 4));
            log?.WriteLine($"train crnn: epoch {epoch + 1}/{settings.Epochs} loss {losses[^1]:0.000}{guard.Status} ({clock.Elapsed.TotalSeconds:0}s)");
            if (epochDone is not null)
            {
                model.Net.eval();
                epochDone(new CrnnTrainingLog(perEpoch, steps, [.. losses], Math.Round(clock.Elapsed.TotalSeconds, 1), stopped, guard.Skipped));
                guard.LastCheckpoint = $"{checkpoint ?? "the checkpoint saved by the caller"} (after epoch {epoch + 1})";
            }
        }
        if (stopped)
        {
            log?.WriteLine($"train crnn: stopped after {settings.MaxSeconds:0}s (--max-seconds), {steps} steps");
        }
        model.Net.eval();
        return new CrnnTrainingLog(perEpoch, steps, losses, Math.Round(clock.Elapsed.TotalSeconds, 1), stopped, guard.Skipped);
    }
}
