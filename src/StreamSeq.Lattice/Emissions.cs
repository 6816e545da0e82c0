namespace StreamSeq.Lattice;

/// <summary>
/// Linear graphs from a T×V emission matrix (row-major: frame t, label v at <c>t * V + v</c>), the bridge between a
/// network's per-frame scores and the lattice library. Arc <c>t * V + v</c> goes from state t to t + 1 with
/// label v and weight score[t, v], so an arc gradient of the graph <em>is</em> the T×V emission gradient, in the
/// same layout as the matrix.
/// </summary>
public static class Emissions
{
    /// <summary>The linear acceptor of an emission matrix: states 0..T (start 0, accept T), V arcs per frame in label
    /// order (so it is input- and output-sorted).</summary>
    /// <param name="scores">T×V scores, row-major (typically log-probabilities, but any finite log-scores).</param>
    /// <param name="frames">T.</param>
    /// <param name="labels">V.</param>
    /// <returns>The graph; arc t·V + v carries score[t, v].</returns>
    public static Graph ToGraph(ReadOnlySpan<double> scores, int frames, int labels)
    {
        var graph = Shape(scores.Length, frames, labels);
        scores.CopyTo(graph.Weights);
        return graph;
    }

    /// <summary>As <see cref="ToGraph(ReadOnlySpan{double}, int, int)"/> from single-precision scores (a float32
    /// tensor's buffer); weights are widened to double.</summary>
    /// <param name="scores">T×V scores, row-major.</param>
    /// <param name="frames">T.</param>
    /// <param name="labels">V.</param>
    /// <returns>The graph.</returns>
    public static Graph ToGraph(ReadOnlySpan<float> scores, int frames, int labels)
    {
        var graph = Shape(scores.Length, frames, labels);
        var weights = graph.Weights;
        for (var i = 0; i < scores.Length; i++)
        {
            weights[i] = scores[i];
        }
        return graph;
    }

    /// <summary>log Σ over label sequences of exp(score): Σ_t log Σ_v exp(score[t, v]), the normaliser of the
    /// emission graph (0 for rows of log-probabilities).</summary>
    /// <param name="scores">T×V scores, row-major.</param>
    /// <param name="frames">T.</param>
    /// <param name="labels">V.</param>
    /// <returns>The log normaliser.</returns>
    public static double LogNormalizer(ReadOnlySpan<double> scores, int frames, int labels)
    {
        CheckShape(scores.Length, frames, labels);
        var total = 0.0;
        for (var t = 0; t < frames; t++)
        {
            total += RowLogSumExp(scores.Slice(t * labels, labels));
        }
        return total;
    }

    /// <summary>The gradient of <see cref="LogNormalizer"/>: the row-wise softmax of the scores.</summary>
    /// <param name="scores">T×V scores, row-major.</param>
    /// <param name="frames">T.</param>
    /// <param name="labels">V.</param>
    /// <param name="gradient">T×V destination, overwritten.</param>
    public static void Softmax(ReadOnlySpan<double> scores, int frames, int labels, Span<double> gradient)
    {
        CheckShape(scores.Length, frames, labels);
        if (gradient.Length != scores.Length)
        {
            throw new ArgumentException("The gradient has another size than the scores.", nameof(gradient));
        }
        for (var t = 0; t < frames; t++)
        {
            var row = scores.Slice(t * labels, labels);
            var lse = RowLogSumExp(row);
            for (var v = 0; v < labels; v++)
            {
                gradient[t * labels + v] = Math.Exp(row[v] - lse);
            }
        }
    }

    private static double RowLogSumExp(ReadOnlySpan<double> row)
    {
        var max = double.NegativeInfinity;
        foreach (var x in row)
        {
            max = Math.Max(max, x);
        }
        if (max == double.NegativeInfinity)
        {
            return max;
        }
        var sum = 0.0;
        foreach (var x in row)
        {
            sum += Math.Exp(x - max);
        }
        return max + Math.Log(sum);
    }

    private static Graph Shape(int length, int frames, int labels)
    {
        CheckShape(length, frames, labels);
        var graph = new Graph(frames + 1, frames * labels);
        graph.AddStates(frames + 1);
        graph.SetStart(0);
        graph.SetFinal(frames, 0.0);
        for (var t = 0; t < frames; t++)
        {
            for (var v = 0; v < labels; v++)
            {
                graph.AddArcUnchecked(t, t + 1, v, v, 0.0);
            }
        }
        return graph;
    }

    private static void CheckShape(int length, int frames, int labels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        ArgumentOutOfRangeException.ThrowIfLessThan(labels, 1);
        if ((long)frames * labels != length)
        {
            throw new ArgumentException($"Emission scores have {length} values, not frames × labels = {frames} × {labels}.");
        }
    }
}
