using System.Diagnostics;
using StreamSeq.Audio.Data;
using StreamSeq.Audio.Features;
using StreamSeq.Learning;
using StreamSeq.Speech.Model;
using StreamSeq.Text.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace StreamSeq.Speech.Training;

/// <summary>One training utterance: normalised features and the token ids of its transcript.</summary>
/// <param name="Features">Per-utterance normalised features.</param>
/// <param name="Tokens">Token ids (no BOS/EOS).</param>
/// <param name="Text">The transcript.</param>
/// <param name="Source">The audio file.</param>
/// <param name="Samples">The waveform at the model's rate, kept when training augments waveforms on the fly; null otherwise.</param>
public sealed record SpeechExample(FeatureMatrix Features, int[] Tokens, string Text, string Source, float[]? Samples = null);

/// <summary>Settings of one training run.</summary>
/// <param name="Epochs">Passes over the data.</param>
/// <param name="BatchSize">Utterances per step.</param>
/// <param name="LearningRate">Adam's peak rate (halved at 50 % of the steps, a tenth from 80 %).</param>
/// <param name="CtcWeight">λ of the joint loss λ·CTC + (1 − λ)·attention cross-entropy; 1 trains CTC only, 0 attention only.</param>
/// <param name="LabelSmoothing">Label smoothing of the attention cross-entropy.</param>
/// <param name="SpecAugment">Mask time and frequency bands of the training features.</param>
/// <param name="Seed">Seeds order and masks.</param>
/// <param name="MaxSeconds">Stop after this much training time (0: no limit).</param>
/// <param name="WaveAugment">Waveform augmentation drawn afresh for each utterance in each batch (examples need <see cref="SpeechExample.Samples"/>); null: none.</param>
public sealed record SpeechTrainingSettings(
    int Epochs = 20, int BatchSize = 32, double LearningRate = 2e-3, double CtcWeight = 0.5, double LabelSmoothing = 0.1,
    bool SpecAugment = true, int Seed = 1, double MaxSeconds = 0, WaveAugmentOptions? WaveAugment = null);

/// <summary>What a training run did.</summary>
/// <param name="Utterances">Training utterances used.</param>
/// <param name="Steps">Optimiser steps.</param>
/// <param name="EpochLoss">Mean joint loss per epoch.</param>
/// <param name="Seconds">Training time.</param>
/// <param name="StoppedEarly">Whether the time budget ended training early.</param>
/// <param name="SkippedSteps">Steps skipped because their loss or gradients were not finite.</param>
public sealed record SpeechTrainingLog(int Utterances, int Steps, IReadOnlyList<double> EpochLoss, double Seconds, bool StoppedEarly, int SkippedSteps = 0);

/// <summary>
/// Trains a <see cref="SpeechModel"/> with the joint CTC/attention loss: utterances of similar length batched
/// together, SpecAugment, Adam with gradient clipping and a step decay of the rate.
/// </summary>
public static class SpeechTrainer
{
    /// <summary>Reads and featurises a manifest's utterances (in parallel), tokenising each transcript.</summary>
    /// <exception cref="InvalidDataException">A transcript has characters the tokenizer lacks, or audio is too short for its transcript.</exception>
    /// <param name="manifest">Audio files and transcripts.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="progress">Gets the count of utterances read so far.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <param name="keepSamples">Keep each waveform (<see cref="SpeechExample.Samples"/>) for on-the-fly waveform augmentation.</param>
    public static async Task<IReadOnlyList<SpeechExample>> PrepareAsync(IReadOnlyList<(string Audio, string Text)> manifest, TextTokenizer tokenizer, Action<int>? progress = null, CancellationToken cancellationToken = default, bool keepSamples = false)
    {
        var examples = new SpeechExample[manifest.Count];
        var done = 0;
        await Parallel.ForAsync(0, manifest.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (i, token) =>
        {
            var (audio, text) = manifest[i];
            var tokens = tokenizer.Encode(text);
            if (tokens.Contains(SpecialTokens.UnkId))
            {
                throw new InvalidDataException($"{audio}: the transcript '{text}' has characters outside the model's vocabulary");
            }
            var samples = await SpeechAudio.LoadAsync(audio, SpeechModel.SampleRate, token).ConfigureAwait(false);
            var features = SpeechModel.Featurize(samples);
            if (SpeechEncoder.FramesOf(features.Frames) < MinFrames(tokens))
            {
                throw new InvalidDataException($"{audio}: {features.Frames * 10} ms of audio is too short for '{text}'");
            }
            examples[i] = new SpeechExample(features, tokens, text, audio, keepSamples ? samples : null);
            progress?.Invoke(Interlocked.Increment(ref done));
        }).ConfigureAwait(false);
        return examples;
    }

    /// <summary>Frames CTC needs for a token sequence: one per token plus a blank between equal neighbours.</summary>
    public static int MinFrames(ReadOnlySpan<int> tokens)
    {
        var frames = tokens.Length;
        for (var i = 1; i < tokens.Length; i++)
        {
            frames += tokens[i] == tokens[i - 1] ? 1 : 0;
        }
        return frames;
    }

    /// <summary>Trains in place; <paramref name="afterEpoch"/> may report held-out figures after each epoch.</summary>
    /// <exception cref="TrainingDivergedException">Steps kept giving a non-finite loss or gradient after the learning rate was lowered.</exception>
    public static SpeechTrainingLog Train(SpeechModel model, IReadOnlyList<SpeechExample> data, SpeechTrainingSettings settings, TextWriter? log = null, Func<int, string?>? afterEpoch = null,
        NonFiniteSettings? nonFinite = null)
    {
        if (data.Count == 0)
        {
            throw new ArgumentException("no training utterances", nameof(data));
        }
        var clock = Stopwatch.StartNew();
        var random = new Random(settings.Seed);
        var augment = new SpecAugmentOptions { FrequencyMasks = 2, MaxFrequencyWidth = 6, TimeMasks = 2, MaxTimeWidth = 12, MaxTimeFraction = 0.1 };
        var waves = settings.WaveAugment is { } waveOptions ? new WaveAugmenter(waveOptions, SpeechModel.SampleRate) : null;
        var batchesPerEpoch = (data.Count + settings.BatchSize - 1) / settings.BatchSize;
        var totalSteps = (long)settings.Epochs * batchesPerEpoch;
        var bar = log is null ? null : new TrainingProgress(log, "train speech", totalSteps);
        using var optimizer = new RaceFreeAdam(model.Net.parameters(), settings.LearningRate);
        using var guard = new NonFiniteGuard("train speech", model.Net, optimizer, nonFinite);
        var losses = new List<double>();
        var steps = 0;
        var stopped = false;
        for (var epoch = 0; epoch < settings.Epochs && !stopped; epoch++)
        {
            model.Net.train();
            double lossSum = 0;
            var counted = 0;
            var lossCounted = 0;
            foreach (var batch in LengthBatches.Shuffled(data.Count, i => data[i].Features.Frames, settings.BatchSize, random))
            {
                var progress = settings.MaxSeconds > 0 ? Math.Max((double)steps / totalSteps, clock.Elapsed.TotalSeconds / settings.MaxSeconds) : (double)steps / totalSteps;
                optimizer.LearningRate = settings.LearningRate * (progress >= 0.8 ? 0.1 : progress >= 0.5 ? 0.5 : 1.0) * guard.LearningRateScale;
                var features = batch.Select(i => Heard(data, i, waves, random)).Select(f => settings.SpecAugment ? SpecAugment.Apply(f, augment, random) : f).ToList();
                using (var scope = torch.NewDisposeScope())
                {
                    var loss = JointLoss(model, features, [.. batch.Select(i => data[i].Tokens)], settings);
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
            var extra = afterEpoch?.Invoke(epoch + 1);
            log?.WriteLine($"train speech: epoch {epoch + 1}/{settings.Epochs} loss {losses[^1]:0.000}{guard.Status}{(extra is null ? "" : " " + extra)} ({clock.Elapsed.TotalSeconds:0}s)");
        }
        if (stopped)
        {
            log?.WriteLine($"train speech: stopped after {settings.MaxSeconds:0}s (--max-seconds), {steps} steps");
        }
        model.Net.eval();
        return new SpeechTrainingLog(data.Count, steps, losses, Math.Round(clock.Elapsed.TotalSeconds, 1), stopped, guard.Skipped);
    }

    /// <summary>
    /// The features of example <paramref name="index"/> as this step hears them: its stored features, or those
    /// of a fresh augmented copy of its waveform (babble made of four other training utterances).
    /// </summary>
    internal static FeatureMatrix Heard(IReadOnlyList<SpeechExample> data, int index, WaveAugmenter? waves, Random random)
    {
        if (waves is null || data[index].Samples is not { } samples)
        {
            return data[index].Features;
        }
        var others = Enumerable.Range(0, 4).Select(_ => data[random.Next(data.Count)]).Where(e => e.Samples is not null && !ReferenceEquals(e, data[index])).Select(e => e.Samples!).ToList();
        return SpeechModel.Featurize(waves.Apply(samples, random, others));
    }

    /// <summary>λ·CTC + (1 − λ)·label-smoothed attention cross-entropy of one batch (a scalar with gradients).</summary>
    internal static Tensor JointLoss(SpeechModel model, IReadOnlyList<FeatureMatrix> features, IReadOnlyList<int[]> tokens, SpeechTrainingSettings settings)
    {
        using var scope = torch.NewDisposeScope();
        var (batch, lengths) = SpeechModel.Batch(features);
        var (states, encoded) = model.Net.Encoder.forward(batch, lengths);
        var total = torch.zeros(1).squeeze();
        if (settings.CtcWeight > 0)
        {
            var logProbs = model.Net.CtcLogProbs(states).permute(1, 0, 2);
            var targets = torch.tensor(tokens.SelectMany(t => t.Select(v => (long)v)).ToArray());
            var targetLengths = torch.tensor(tokens.Select(t => (long)t.Length).ToArray());
            var ctc = torch.nn.functional.ctc_loss(logProbs, targets, encoded, targetLengths, SpecialTokens.BlankId, zero_infinity: true);
            total = total + (settings.CtcWeight * ctc);
        }
        if (settings.CtcWeight < 1)
        {
            var steps = tokens.Max(t => t.Length) + 1;
            var previous = new long[tokens.Count * steps];
            var next = new long[tokens.Count * steps];
            var valid = new float[tokens.Count * steps];
            for (var i = 0; i < tokens.Count; i++)
            {
                var t = tokens[i];
                for (var u = 0; u < steps; u++)
                {
                    previous[(i * steps) + u] = u == 0 ? SpecialTokens.BosId : u <= t.Length ? t[u - 1] : SpecialTokens.EosId;
                    next[(i * steps) + u] = u < t.Length ? t[u] : SpecialTokens.EosId;
                    valid[(i * steps) + u] = u <= t.Length ? 1 : 0;
                }
            }
            var mask = SpeechEncoder.Mask(encoded, states.shape[1]);
            var logProbs = model.Net.Decoder.Forward(torch.tensor(previous, [tokens.Count, steps]), states, mask);
            var picked = logProbs.gather(2, torch.tensor(next, [tokens.Count, steps, 1])).squeeze(2);
            var smooth = logProbs.mean([2]);
            var perToken = -(((1 - settings.LabelSmoothing) * picked) + (settings.LabelSmoothing * smooth));
            var weights = torch.tensor(valid, [tokens.Count, steps]);
            var attention = (perToken * weights).sum() / weights.sum();
            total = total + ((1 - settings.CtcWeight) * attention);
        }
        return total.MoveToOuterDisposeScope();
    }
}
