namespace StreamSeq.Lattice;

/// <summary>
/// The two sequence-level training criteria of graph transformer networks, with their gradient over the arcs of
/// one leaf graph (the graph the network's scores were loaded into: an emission graph or a
/// <see cref="ScoredGraph.Graph"/>). Both take graphs built from that leaf by library operations, so the gradient
/// walks back through their <see cref="Graph.Origin"/>.
/// </summary>
public static class SequenceLoss
{
    /// <summary>The negative log-likelihood of the correct interpretations against all of them:
    /// loss = forward(<paramref name="all"/>) − forward(<paramref name="correct"/>), gradient = posteriors of
    /// <paramref name="all"/> − posteriors of <paramref name="correct"/>, carried back to <paramref name="leaf"/>.
    /// With <c>correct = leaf ∩ ctc(labels)</c> and <c>all = leaf</c> (or <c>leaf ∘ topology</c>) this is CTC.</summary>
    /// <param name="leaf">The graph holding the network's scores.</param>
    /// <param name="correct">The paths that read the right answer (e.g. leaf ∩ answer acceptor).</param>
    /// <param name="all">Every path (e.g. the leaf itself or leaf ∘ grammar); should contain <paramref name="correct"/>.</param>
    /// <returns>Loss ≥ 0 when <paramref name="correct"/>'s paths are among <paramref name="all"/>'s, and the leaf
    /// arc gradient; +infinity, a zero gradient and the reason when either has no path.</returns>
    public static SequenceLossResult Forward(Graph leaf, Graph correct, Graph all)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(correct);
        ArgumentNullException.ThrowIfNull(all);
        var gradient = new double[leaf.ArcCount];
        var numerator = GraphOps.Forward(correct);
        if (!numerator.HasPath)
        {
            return new SequenceLossResult(double.PositiveInfinity, gradient, "no correct path: " + numerator.NoPathReason);
        }
        var denominator = GraphOps.Forward(all);
        if (!denominator.HasPath)
        {
            return new SequenceLossResult(double.PositiveInfinity, gradient, "no path at all: " + denominator.NoPathReason);
        }
        Accumulate(gradient, leaf, all, denominator.ArcPosteriors!, 1.0);
        Accumulate(gradient, leaf, correct, numerator.ArcPosteriors!, -1.0);
        return new SequenceLossResult(denominator.Score - numerator.Score, gradient, null);
    }

    /// <summary>The margin (hinge) loss on best paths: loss = max(0, margin + viterbi(<paramref name="competitor"/>)
    /// − viterbi(<paramref name="correct"/>)), gradient = best-path indicator of the competitor − that of the
    /// correct graph while the margin is violated, else zero.</summary>
    /// <param name="leaf">The graph holding the network's scores.</param>
    /// <param name="correct">The paths that read the right answer.</param>
    /// <param name="competitor">The paths that read a wrong answer (e.g. leaf ∘ (grammar − answer)), or all
    /// paths when a margin over the best overall is wanted.</param>
    /// <param name="margin">Required score gap, ≥ 0.</param>
    /// <returns>Loss and leaf arc gradient; +infinity with a reason when the correct graph has no path; zero when
    /// the competitor has none (nothing to beat).</returns>
    public static SequenceLossResult Margin(Graph leaf, Graph correct, Graph competitor, double margin)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(correct);
        ArgumentNullException.ThrowIfNull(competitor);
        ArgumentOutOfRangeException.ThrowIfNegative(margin);
        var gradient = new double[leaf.ArcCount];
        var best = GraphOps.Viterbi(correct);
        if (!best.HasPath)
        {
            return new SequenceLossResult(double.PositiveInfinity, gradient, "no correct path: " + best.NoPathReason);
        }
        var rival = GraphOps.Viterbi(competitor);
        if (!rival.HasPath)
        {
            return new SequenceLossResult(0.0, gradient, null);
        }
        var loss = margin + rival.Score - best.Score;
        if (loss <= 0)
        {
            return new SequenceLossResult(0.0, gradient, null);
        }
        Accumulate(gradient, leaf, competitor, rival.ArcGradient(), 1.0);
        Accumulate(gradient, leaf, correct, best.ArcGradient(), -1.0);
        return new SequenceLossResult(loss, gradient, null);
    }

    private static void Accumulate(double[] gradient, Graph leaf, Graph scored, double[] arcGradient, double sign)
    {
        var set = Gradients.Backward(scored, arcGradient);
        if (!set.Contains(leaf))
        {
            throw new ArgumentException($"{scored} was not made from the leaf graph {leaf}, so no gradient reaches it.", nameof(leaf));
        }
        var leafGradient = set.Of(leaf);
        for (var a = 0; a < gradient.Length; a++)
        {
            gradient[a] += sign * leafGradient[a];
        }
    }
}

/// <summary>A sequence loss and its gradient over the arcs of the leaf graph.</summary>
/// <param name="Loss">The loss; +infinity when it is undefined (see <paramref name="NoPathReason"/>).</param>
/// <param name="Gradient">d(loss)/d(leaf arc weight), by arc number (for an emission graph: T×V row-major; for a
/// <see cref="ScoredGraph"/>: pass to <see cref="ScoredGraph.ScoreGradient"/>).</param>
/// <param name="NoPathReason">Why the loss is undefined, or null.</param>
public sealed record SequenceLossResult(double Loss, double[] Gradient, string? NoPathReason);
