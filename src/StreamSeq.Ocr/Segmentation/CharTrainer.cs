using System.Diagnostics;
using OpenCvSharp;
using StreamSeq.Learning.Data;
using StreamSeq.Learning;
using StreamSeq.Ocr.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace StreamSeq.Ocr.Segmentation;

/// <summary>What pre-training the character network did.</summary>
public sealed record CharTrainingLog(int Characters, int NotCharacters, IReadOnlyList<double> EpochLoss, IReadOnlyList<double> EpochAccuracy, double Seconds);

/// <summary>
/// Pre-trains the segmentation recogniser's character network on isolated characters: the training split of
/// the MNIST digits (slanted a little at random, normalised the way segments are), plus "not a character"
/// examples made from them the way bad segments look: a left or right part of a digit, and two digits side
/// by side, touching or overlapping.
/// </summary>
public static class CharTrainer
{
    /// <summary>Isolated training examples: (28×28 pixels, class), the last class meaning "not a character".</summary>
    public static List<(float[] Pixels, int Label)> Examples(MnistDigits digits, Random random, int perDigit, int notCharacters)
    {
        var examples = new List<(float[], int)>();
        var pools = Enumerable.Range(0, 10).Select(d => digits.Split(d, test: false)).ToArray();
        float[] Pick(int d) => pools[d][random.Next(pools[d].Count)];
        for (var d = 0; d < 10; d++)
        {
            for (var k = 0; k < Math.Min(perDigit, pools[d].Count); k++)
            {
                var (ink, w, h) = Slant(pools[d][k], random);
                examples.Add((OverSegmenter.Normalise(ink, w, h, 0, w) ?? new float[784], d));
            }
        }
        for (var k = 0; k < notCharacters; k++)
        {
            var (ink, w, h) = Slant(Pick(random.Next(10)), random);
            float[]? pixels;
            if (random.NextDouble() < 0.5)
            {
                // A part of one digit: its left or right 25-60 % of ink columns.
                var (first, last) = InkColumns(ink, w, h);
                var span = last - first + 1;
                var part = (int)Math.Round(span * (0.25 + (random.NextDouble() * 0.35)));
                pixels = random.NextDouble() < 0.5
                    ? OverSegmenter.Normalise(ink, w, h, first, first + part)
                    : OverSegmenter.Normalise(ink, w, h, last + 1 - part, last + 1);
            }
            else
            {
                // Two digits side by side.
                var (other, w2, _) = Slant(Pick(random.Next(10)), random);
                var (f1, l1) = InkColumns(ink, w, h);
                var (f2, l2) = InkColumns(other, w2, h);
                var gap = random.Next(-4, 3);
                var width = (l1 - f1 + 1) + gap + (l2 - f2 + 1);
                var pair = new float[h * Math.Max(1, width)];
                for (var r = 0; r < h; r++)
                {
                    for (var c = f1; c <= l1; c++)
                    {
                        pair[(r * width) + c - f1] = Math.Max(pair[(r * width) + c - f1], ink[(r * w) + c]);
                    }
                    for (var c = f2; c <= l2; c++)
                    {
                        var x = (l1 - f1 + 1) + gap + c - f2;
                        if (x >= 0 && x < width)
                        {
                            pair[(r * width) + x] = Math.Max(pair[(r * width) + x], other[(r * w2) + c]);
                        }
                    }
                }
                pixels = OverSegmenter.Normalise(pair, width, h, 0, width);
            }
            if (pixels is not null)
            {
                examples.Add((pixels, 10));
            }
        }
        return examples;
    }

    private static (int First, int Last) InkColumns(float[] ink, int w, int h)
    {
        int first = w, last = -1;
        for (var r = 0; r < h; r++)
        {
            for (var c = 0; c < w; c++)
            {
                if (ink[(r * w) + c] > 0.35f)
                {
                    first = Math.Min(first, c);
                    last = Math.Max(last, c);
                }
            }
        }
        return last < 0 ? (0, w - 1) : (first, last);
    }

    /// <summary>A 28×28 digit slanted like the generated lines (widened to keep every column).</summary>
    private static (float[] Ink, int Width, int Height) Slant(float[] digit, Random random)
    {
        using var source = Mat.FromPixelData(MnistDigits.Side, MnistDigits.Side, MatType.CV_32FC1, digit);
        using var slanted = HandwrittenLines.Shear(source, (random.NextDouble() - 0.5) * 0.5);
        slanted.GetArray(out float[] pixels);
        return (pixels, slanted.Width, slanted.Height);
    }

    public static CharTrainingLog Train(SegmentModel model, List<(float[] Pixels, int Label)> examples, int epochs, int batchSize, double learningRate, int seed, TextWriter? log = null)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(seed);
        var order = Enumerable.Range(0, examples.Count).ToArray();
        var batches = (examples.Count + batchSize - 1) / batchSize;
        var bar = log is null ? null : new TrainingProgress(log, "train charnet", (long)epochs * batches);
        using var optimizer = new RaceFreeAdam(model.Net.parameters(), learningRate);
        using var guard = new NonFiniteGuard("train charnet", model.Net, optimizer);
        var losses = new List<double>();
        var accuracies = new List<double>();
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            random.Shuffle(order);
            model.Net.train();
            optimizer.LearningRate = learningRate * guard.LearningRateScale;
            double lossSum = 0;
            long counted = 0;
            long correct = 0;
            for (var b = 0; b < batches; b++)
            {
                var members = order.Skip(b * batchSize).Take(batchSize).ToArray();
                using (var scope = torch.NewDisposeScope())
                {
                    var input = torch.tensor(members.SelectMany(i => examples[i].Pixels).ToArray(), [members.Length, 1, 28, 28]);
                    var target = torch.tensor(members.Select(i => (long)examples[i].Label).ToArray());
                    var output = model.Net.forward(input);
                    var loss = torch.nn.functional.nll_loss(output, target);
                    optimizer.zero_grad();
                    loss.backward();
                    var value = loss.item<float>();
                    if (guard.TryStep(value, epoch + 1, ((long)epoch * batches) + b + 1))
                    {
                        lossSum += value * members.Length;
                        counted += members.Length;
                    }
                    correct += output.argmax(1).eq(target).sum().item<long>();
                }
                bar?.Report(((long)epoch * batches) + b + 1, $"epoch {epoch + 1}/{epochs}{guard.Status}");
            }
            losses.Add(counted == 0 ? double.NaN : Math.Round(lossSum / counted, 4));
            accuracies.Add(Math.Round(correct / (double)examples.Count, 4));
            log?.WriteLine($"train charnet: epoch {epoch + 1}/{epochs} loss {losses[^1]:0.000} train accuracy {accuracies[^1]:P1}");
        }
        model.Net.eval();
        return new CharTrainingLog(examples.Count(e => e.Label < 10), examples.Count(e => e.Label == 10), losses, accuracies, Math.Round(clock.Elapsed.TotalSeconds, 1));
    }
}
