namespace StreamSeq.Lattice;

/// <summary>
/// Forward (and backward) algorithm in the log semiring over a DAG, visiting states in topological order. Each
/// state pulls its incoming arcs twice: once for the maximum, once to sum exp(value - max) in double, so every
/// exponent is ≤ 0 and a score of -10⁶ is as exact as one of -1: nothing underflows however long the graph.
/// One exp per arc and one log per state.
/// </summary>
internal static class ForwardScore
{
    public const string Operation = "forward score";

    public static ForwardResult Run(Graph graph, bool gradient)
    {
        var reason = NoPath.StructuralReason(graph);
        if (reason is not null)
        {
            return new ForwardResult(double.NegativeInfinity, gradient ? new double[graph.ArcCount] : null, reason);
        }
        var order = graph.TopologicalOrder(Operation);
        var alpha = new double[graph.StateCount];
        Alpha(graph, order, alpha);
        var final = graph.FinalArray;
        var score = double.NegativeInfinity;
        var max = double.NegativeInfinity;
        for (var s = 0; s < graph.StateCount; s++)
        {
            var v = alpha[s] + final[s];
            if (v > max)
            {
                max = v;
            }
        }
        if (max > double.NegativeInfinity)
        {
            var sum = 0.0;
            for (var s = 0; s < graph.StateCount; s++)
            {
                sum += Math.Exp(alpha[s] + final[s] - max);
            }
            score = max + Math.Log(sum);
        }
        if (double.IsNegativeInfinity(score))
        {
            return new ForwardResult(score, gradient ? new double[graph.ArcCount] : null, NoPath.Unreachable);
        }
        if (!gradient)
        {
            return new ForwardResult(score, null, null);
        }
        var beta = new double[graph.StateCount];
        Beta(graph, order, beta);
        var posteriors = new double[graph.ArcCount];
        var arcs = graph.ArcArray;
        var weights = graph.WeightArray;
        for (var a = 0; a < posteriors.Length; a++)
        {
            ref readonly var arc = ref arcs[a];
            var v = alpha[arc.Source] + weights[a] + beta[arc.Target] - score;
            // exp(-inf) is 0 for arcs on no accepting path; v ≤ 0 up to rounding for the others.
            posteriors[a] = Math.Exp(v);
        }
        return new ForwardResult(score, posteriors, null);
    }

    /// <summary>alpha[s] = log Σ over paths from a start state to s of exp(path weight).</summary>
    internal static void Alpha(Graph graph, int[] order, double[] alpha)
    {
        var index = graph.Index;
        var inOffsets = index.InOffsets;
        var inArcs = index.InArcs;
        var arcs = graph.ArcArray;
        var weights = graph.WeightArray;
        var isStart = graph.StartFlags;
        var scratch = new double[MaxDegree(inOffsets)];
        foreach (var s in order)
        {
            var lo = inOffsets[s];
            var count = inOffsets[s + 1] - lo;
            var max = isStart[s] ? 0.0 : double.NegativeInfinity;
            for (var i = 0; i < count; i++)
            {
                var a = inArcs[lo + i];
                var v = alpha[arcs[a].Source] + weights[a];
                scratch[i] = v;
                if (v > max)
                {
                    max = v;
                }
            }
            alpha[s] = max > double.NegativeInfinity ? max + Math.Log(SumExp(scratch, count, max, isStart[s])) : double.NegativeInfinity;
        }
    }

    /// <summary>beta[s] = log Σ over paths from s to acceptance of exp(path weight + final weight).</summary>
    internal static void Beta(Graph graph, int[] order, double[] beta)
    {
        var index = graph.Index;
        var outOffsets = index.OutOffsets;
        var outArcs = index.OutArcs;
        var arcs = graph.ArcArray;
        var weights = graph.WeightArray;
        var final = graph.FinalArray;
        var scratch = new double[MaxDegree(outOffsets)];
        for (var k = order.Length - 1; k >= 0; k--)
        {
            var s = order[k];
            var lo = outOffsets[s];
            var count = outOffsets[s + 1] - lo;
            var max = final[s];
            for (var i = 0; i < count; i++)
            {
                var a = outArcs[lo + i];
                var v = beta[arcs[a].Target] + weights[a];
                scratch[i] = v;
                if (v > max)
                {
                    max = v;
                }
            }
            if (max == double.NegativeInfinity)
            {
                beta[s] = double.NegativeInfinity;
                continue;
            }
            var sum = Math.Exp(final[s] - max);
            for (var i = 0; i < count; i++)
            {
                sum += Math.Exp(scratch[i] - max);
            }
            beta[s] = max + Math.Log(sum);
        }
    }

    private static double SumExp(double[] values, int count, double max, bool start)
    {
        var sum = start ? Math.Exp(-max) : 0.0;
        for (var i = 0; i < count; i++)
        {
            sum += Math.Exp(values[i] - max);
        }
        return sum;
    }

    internal static int MaxDegree(int[] offsets)
    {
        var max = 0;
        for (var s = 0; s + 1 < offsets.Length; s++)
        {
            max = Math.Max(max, offsets[s + 1] - offsets[s]);
        }
        return max;
    }
}
