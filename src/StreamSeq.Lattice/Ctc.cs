namespace StreamSeq.Lattice;

/// <summary>
/// Connectionist temporal classification as lattices. <see cref="Target"/> is the acceptor of every frame-label
/// sequence that collapses to a given label sequence (blanks between and around labels, repeats merged, a blank
/// required between equal neighbours); <see cref="Topology"/> is the transducer from any frame-label sequence to
/// its collapsed labels. Then the CTC loss is logZ(emissions) − forward(emissions ∩ target), and decoding is
/// Viterbi over emissions ∘ topology (composable with a grammar or lexicon on the output side).
/// </summary>
public static class Ctc
{
    /// <summary>The CTC alignment acceptor of a label sequence: frame-label strings that collapse to it.</summary>
    /// <param name="labels">Labels (≥ 0, never <paramref name="blank"/>).</param>
    /// <param name="blank">The blank label.</param>
    /// <returns>An acceptor with an initial state and one state per position of the blank-extended sequence
    /// (2L + 1); arcs carry the label emitted on entering their target; it accepts after the last label or the
    /// final blank (the empty label sequence also accepts zero frames).</returns>
    public static Graph Target(ReadOnlySpan<int> labels, int blank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blank);
        foreach (var label in labels)
        {
            if (label < 0 || label == blank)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"CTC labels are >= 0 and not the blank ({blank}).");
            }
        }
        var extended = 2 * labels.Length + 1;
        var graph = new Graph(extended + 1, 3 * extended + 2);
        graph.AddStates(extended + 1);
        graph.SetStart(0);
        if (labels.Length == 0)
        {
            graph.SetFinal(0);
        }
        // Position k of the extended sequence (state k + 1): blank for even k, labels[k / 2] for odd k.
        int At(int k, ReadOnlySpan<int> l) => k % 2 == 0 ? blank : l[k / 2];
        graph.AddArc(0, 1, blank);
        if (labels.Length > 0)
        {
            graph.AddArc(0, 2, labels[0]);
        }
        for (var k = 0; k < extended; k++)
        {
            var state = k + 1;
            var own = At(k, labels);
            graph.AddArc(state, state, own);
            if (k + 1 < extended)
            {
                graph.AddArc(state, state + 1, At(k + 1, labels));
            }
            if (k + 2 < extended && At(k + 2, labels) != blank && At(k + 2, labels) != own)
            {
                graph.AddArc(state, state + 2, At(k + 2, labels));
            }
        }
        graph.SetFinal(extended);
        if (labels.Length > 0)
        {
            graph.SetFinal(extended - 1);
        }
        return graph;
    }

    /// <summary>The CTC topology: a transducer from frame labels (0..V-1, blank included) to collapsed labels.
    /// State v means "the last frame was v" (the blank's state is also the start); from every state, reading v
    /// goes to state v and writes v, except that a blank or a repeat of the state's own label writes epsilon.
    /// Every state accepts. V states and V² arcs, input-sorted.</summary>
    /// <param name="labelCount">V, the number of frame labels including the blank.</param>
    /// <param name="blank">The blank label, in [0, V).</param>
    /// <returns>The topology transducer.</returns>
    public static Graph Topology(int labelCount, int blank)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(labelCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(blank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(blank, labelCount);
        var graph = new Graph(labelCount, labelCount * labelCount);
        graph.AddStates(labelCount);
        graph.SetStart(blank);
        for (var s = 0; s < labelCount; s++)
        {
            graph.SetFinal(s);
            for (var v = 0; v < labelCount; v++)
            {
                graph.AddArc(s, v, v, v == blank || v == s ? Graph.Epsilon : v, 0.0);
            }
        }
        return graph;
    }

    /// <summary>The CTC loss of one sequence and its gradient with respect to the emission scores:
    /// loss = logZ(E) − forward(E ∩ target), i.e. −log P(labels | E) with P the per-frame softmax of the scores
    /// (so log-softmax inputs give the usual CTC loss, and logZ(E) = 0).</summary>
    /// <param name="scores">T×V emission scores, row-major.</param>
    /// <param name="frames">T.</param>
    /// <param name="labelCount">V, blank included.</param>
    /// <param name="labels">The target labels.</param>
    /// <param name="blank">The blank label.</param>
    /// <returns>Loss and T×V gradient (softmax − alignment posteriors); when no alignment fits (too few frames),
    /// loss +infinity, a zero gradient and the reason.</returns>
    public static CtcLoss Loss(ReadOnlySpan<double> scores, int frames, int labelCount, ReadOnlySpan<int> labels, int blank)
    {
        foreach (var label in labels)
        {
            if (label >= labelCount)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"A label is outside the {labelCount} emission columns.");
            }
        }
        var emissions = Emissions.ToGraph(scores, frames, labelCount);
        var aligned = GraphOps.Intersect(emissions, Target(labels, blank));
        var forward = GraphOps.Forward(aligned, gradient: true);
        var gradient = new double[scores.Length];
        if (!forward.HasPath)
        {
            return new CtcLoss(double.PositiveInfinity, gradient, $"no CTC alignment of {labels.Length} labels in {frames} frames: {forward.NoPathReason}");
        }
        var posteriors = Gradients.Backward(aligned, forward.ArcPosteriors).Of(emissions);
        Emissions.Softmax(scores, frames, labelCount, gradient);
        for (var i = 0; i < gradient.Length; i++)
        {
            gradient[i] -= posteriors[i];
        }
        return new CtcLoss(Emissions.LogNormalizer(scores, frames, labelCount) - forward.Score, gradient, null);
    }

    /// <summary>Best-path decoding straight from the matrix: the arg-max label of each frame, collapsed.</summary>
    /// <param name="scores">T×V emission scores, row-major.</param>
    /// <param name="frames">T.</param>
    /// <param name="labelCount">V.</param>
    /// <param name="blank">The blank label.</param>
    /// <returns>The collapsed labels.</returns>
    public static int[] GreedyDecode(ReadOnlySpan<double> scores, int frames, int labelCount, int blank)
    {
        if ((long)frames * labelCount != scores.Length)
        {
            throw new ArgumentException($"Emission scores have {scores.Length} values, not {frames} × {labelCount}.", nameof(scores));
        }
        var best = new int[frames];
        for (var t = 0; t < frames; t++)
        {
            var row = scores.Slice(t * labelCount, labelCount);
            var arg = 0;
            for (var v = 1; v < labelCount; v++)
            {
                if (row[v] > row[arg])
                {
                    arg = v;
                }
            }
            best[t] = arg;
        }
        return Collapse(best, blank);
    }

    /// <summary>Viterbi decoding through the library: the best path of emissions ∘ <paramref name="topology"/>,
    /// whose output labels are the transcription. With the plain <see cref="Topology"/> this equals
    /// <see cref="GreedyDecode"/>; compose the topology with a grammar or lexicon (on its output side) first to
    /// constrain the result.</summary>
    /// <param name="scores">T×V emission scores, row-major.</param>
    /// <param name="frames">T.</param>
    /// <param name="labelCount">V.</param>
    /// <param name="topology">A transducer from frame labels to output labels, e.g. <see cref="Topology"/>.</param>
    /// <returns>The best path (its <see cref="LatticePath.Output"/> is the transcription), or
    /// <see cref="LatticePath.None"/> with a reason in the result.</returns>
    public static ViterbiResult ViterbiDecode(ReadOnlySpan<double> scores, int frames, int labelCount, Graph topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var emissions = Emissions.ToGraph(scores, frames, labelCount);
        return GraphOps.Viterbi(GraphOps.Compose(emissions, topology));
    }

    /// <summary>Merges repeated frame labels and drops blanks.</summary>
    /// <param name="frameLabels">One label per frame.</param>
    /// <param name="blank">The blank label.</param>
    /// <returns>The collapsed label sequence.</returns>
    public static int[] Collapse(ReadOnlySpan<int> frameLabels, int blank)
    {
        var result = new List<int>();
        var previous = blank;
        foreach (var label in frameLabels)
        {
            if (label != blank && label != previous)
            {
                result.Add(label);
            }
            previous = label;
        }
        return [.. result];
    }
}

/// <summary>A CTC loss and its gradient with respect to the T×V emission scores.</summary>
/// <param name="Loss">−log P(labels | emissions); +infinity when no alignment fits.</param>
/// <param name="Gradient">d(loss)/d(score), T×V row-major.</param>
/// <param name="NoPathReason">Why no alignment fits, or null.</param>
public sealed record CtcLoss(double Loss, double[] Gradient, string? NoPathReason);
