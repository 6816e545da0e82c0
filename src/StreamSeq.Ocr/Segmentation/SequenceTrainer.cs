using System.Diagnostics;
using StreamSeq.Lattice;
using StreamSeq.Learning;
using StreamSeq.Ocr.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace StreamSeq.Ocr.Segmentation;

/// <summary>The sequence-level criterion.</summary>
public enum SequenceCriterion
{
    /// <summary>forward(all) − forward(correct): the negative log-likelihood of the right string (<see cref="SequenceLoss.Forward"/>).</summary>
    Forward,

    /// <summary>max(0, margin + viterbi(all) − viterbi(correct)) (<see cref="SequenceLoss.Margin"/>): pushes the best correct
    /// interpretation above the best overall; no gradient once the correct one is the best.</summary>
    Margin,
}

/// <summary>What sequence-level training did.</summary>
public sealed record SequenceTrainingLog(string Criterion, int Lines, int Skipped, IReadOnlyList<double> EpochLoss, double Seconds);

/// <summary>
/// Sequence-level (discriminative) training of the segmentation recogniser through its lattice, as in LeCun
/// et al. 1998: the loss of a line is forward(all interpretations) − forward(interpretations reading the
/// right string) (<see cref="SequenceLoss.Forward"/>), so the network learns to give low scores to bad
/// segments instead of being trained on isolated characters only. The lattice library returns d(loss)/d(arc
/// weight); each arc weight is one entry of the network's [segments, classes] output, and
/// <see cref="ExternalLoss"/> makes that computation a torch autograd function, so the chain rule runs from the
/// lattice into the network.
/// </summary>
public static class SequenceTrainer
{
    public static SequenceTrainingLog Train(SegmentModel model, IReadOnlyList<(LineImage Line, int[] Labels)> lines, int epochs, int linesPerStep, double learningRate, int seed, TextWriter? log = null, SequenceCriterion criterion = SequenceCriterion.Forward, double margin = 1.0)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(seed);
        var order = Enumerable.Range(0, lines.Count).ToArray();
        var steps = (lines.Count + linesPerStep - 1) / linesPerStep;
        var bar = log is null ? null : new TrainingProgress(log, "train sequence", (long)epochs * steps);
        using var optimizer = new RaceFreeAdam(model.Net.parameters(), learningRate);
        using var guard = new NonFiniteGuard("train sequence", model.Net, optimizer);
        var losses = new List<double>();
        var skipped = 0;
        var classes = model.Alphabet.Characters.Length + 1;
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            random.Shuffle(order);
            double lossSum = 0;
            var counted = 0;
            for (var step = 0; step < steps; step++)
            {
                // Dropout off: the lattice must see the scores the recogniser will use.
                model.Net.eval();
                optimizer.LearningRate = learningRate * guard.LearningRateScale;
                optimizer.zero_grad();
                double stepLoss = 0;
                var stepLines = 0;
                using (var scope = torch.NewDisposeScope())
                {
                    foreach (var index in order.Skip(step * linesPerStep).Take(linesPerStep))
                    {
                        var (line, labels) = lines[index];
                        var (cuts, inked, empty) = SegmentModel.Candidates(line);
                        if (inked.Count == 0)
                        {
                            skipped++;
                            continue;
                        }
                        var input = torch.tensor(inked.SelectMany(i => i.Pixels).ToArray(), [inked.Count, 1, 28, 28]);
                        var output = model.Net.forward(input);
                        var characters = classes - 1;
                        string? noPath = null;
                        // The lattice loss enters torch as an autograd function: forward builds the line's
                        // lattice from the network's scores, backward hands torch the lattice's exact gradient.
                        var loss = ExternalLoss.Of(output, scores =>
                        {
                            var lattice = model.Lattice(cuts, inked, empty, scores);
                            var correct = GraphOps.Intersect(lattice.Graph, SegmentModel.Answer(labels));
                            var result = criterion == SequenceCriterion.Forward
                                ? SequenceLoss.Forward(lattice.Graph, correct, lattice.Graph)
                                : SequenceLoss.Margin(lattice.Graph, correct, lattice.Graph, margin);
                            noPath = result.NoPathReason;
                            var gradient = new float[inked.Count * classes];
                            if (noPath is null)
                            {
                                for (var a = 0; a < inked.Count * characters; a++)
                                {
                                    gradient[((a / characters) * classes) + (a % characters)] = (float)result.Gradient[a];
                                }
                            }
                            return new ExternalLossValue(noPath is null ? result.Loss : 0, gradient);
                        });
                        if (noPath is not null)
                        {
                            // No segmentation of this line yields its label (e.g. two digits never cut apart).
                            skipped++;
                            continue;
                        }
                        (loss / linesPerStep).backward();
                        stepLoss += loss.item<float>();
                        stepLines++;
                    }
                    if (stepLines > 0 && guard.TryStep(stepLoss, epoch + 1, ((long)epoch * steps) + step + 1))
                    {
                        lossSum += stepLoss;
                        counted += stepLines;
                    }
                }
                bar?.Report(((long)epoch * steps) + step + 1, $"epoch {epoch + 1}/{epochs} loss {lossSum / Math.Max(1, counted):0.000}{guard.Status}");
            }
            losses.Add(Math.Round(lossSum / Math.Max(1, counted), 4));
            log?.WriteLine($"train sequence: epoch {epoch + 1}/{epochs} loss {losses[^1]:0.000} ({counted} lines with a correct path)");
        }
        model.Net.eval();
        return new SequenceTrainingLog(criterion == SequenceCriterion.Forward ? "forward (log-likelihood of the correct interpretations against all)" : $"margin {margin} (best correct interpretation against the best overall)", lines.Count, skipped, losses, Math.Round(clock.Elapsed.TotalSeconds, 1));
    }
}
