namespace StreamSeq.Actions.Model;

/// <summary>Accuracy and confusion of one way of scoring (a stream, or the fusion) on a labelled set.</summary>
/// <param name="Accuracy">Share of clips whose best class is the label.</param>
/// <param name="Confusion">Counts: row = true class, column = predicted class.</param>
public sealed record ClassificationResult(double Accuracy, int[][] Confusion);

/// <summary>The held-out results of a two-stream model: each stream alone and fused.</summary>
public sealed record TwoStreamResult(ClassificationResult Spatial, ClassificationResult Temporal, ClassificationResult Fused, int Clips, double ClipsPerSecond);

/// <summary>Scores labelled clips with a <see cref="TwoStreamModel"/>.</summary>
public static class TwoStreamEvaluator
{
    public static TwoStreamResult Evaluate(TwoStreamModel model, IReadOnlyList<(ClipTensors Clip, int Label)> data, TemporalPooling pooling = TemporalPooling.Average)
    {
        var classes = model.Classes.Count;
        int[][] NewMatrix() => Enumerable.Range(0, classes).Select(_ => new int[classes]).ToArray();
        var spatial = NewMatrix();
        var temporal = NewMatrix();
        var fused = NewMatrix();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var (clip, label) in data)
        {
            var scores = model.Score(clip, pooling);
            spatial[label][ArgMax(scores.Spatial)]++;
            temporal[label][ArgMax(scores.Temporal)]++;
            fused[label][ArgMax(scores.Fused)]++;
        }
        var seconds = Math.Max(1e-9, clock.Elapsed.TotalSeconds);
        return new TwoStreamResult(Result(spatial), Result(temporal), Result(fused), data.Count, Math.Round(data.Count / seconds, 1));
    }

    /// <summary>Accuracy and confusion of <see cref="FlowRule"/> on the same clips (the baseline beside the model).</summary>
    public static ClassificationResult EvaluateRule(IReadOnlyList<(ClipTensors Clip, int Label)> data, IReadOnlyList<string> classes)
        => EvaluateRule(data, classes, FlowRule.Classify);

    /// <summary>Accuracy and confusion of a rule (<see cref="FlowRule"/>, <see cref="CameraMotionRule"/>) on labelled clips.</summary>
    public static ClassificationResult EvaluateRule(IReadOnlyList<(ClipTensors Clip, int Label)> data, IReadOnlyList<string> classes, Func<ClipTensors, IReadOnlyList<string>, int> rule)
    {
        var confusion = Enumerable.Range(0, classes.Count).Select(_ => new int[classes.Count]).ToArray();
        foreach (var (clip, label) in data)
        {
            confusion[label][rule(clip, classes)]++;
        }
        return Result(confusion);
    }

    public static int ArgMax(IReadOnlyList<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Count; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }
        return best;
    }

    private static ClassificationResult Result(int[][] confusion)
    {
        var total = confusion.Sum(r => r.Sum());
        var correct = confusion.Select((row, i) => row[i]).Sum();
        return new ClassificationResult(total == 0 ? 0 : Math.Round(correct / (double)total, 4), confusion);
    }
}
