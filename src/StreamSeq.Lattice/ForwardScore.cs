using System.Buffers;
using System.Runtime.CompilerServices;

namespace StreamSeq.Lattice;

/// <summary>
/// Forward (and backward) algorithm in the log semiring over a DAG, visiting states in topological order. Each
/// state gathers its incoming values, factors out the maximum and sums exp(value − max) in double, so every
/// exponent is ≤ 0 and a score of −10⁶ is as exact as one of −1: nothing underflows however long the graph.
/// A state with k incoming arcs costs k − 1 exps and one log (none for k = 1); the posterior pass one exp per arc.
/// Working arrays come from the shared array pool, so repeated calls allocate only their results.
/// The kernels here (and in Viterbi, composition, n-best, the adjacency index and backward) are compiled fully
/// optimised on first use (<see cref="MethodImplOptions.AggressiveOptimization"/>): a one-shot CLI decode or the
/// first training steps would otherwise run them unoptimised until tiered compilation catches up, which on a
/// loaded machine measured 2–5× slower.
/// </summary>
internal static class ForwardScore
{
    public const string Operation = "forward score";

    private const double NegligibleExponent = -50.0;
    private const double NegligiblePosterior = -700.0;

    public static ForwardResult Run(Graph graph, bool gradient)
    {
        var reason = NoPath.StructuralReason(graph);
        if (reason is not null)
        {
            return new ForwardResult(double.NegativeInfinity, gradient ? new double[graph.ArcCount] : null, reason);
        }
        var order = graph.TopologicalOrder(Operation);
        var alpha = ArrayPool<double>.Shared.Rent(graph.StateCount);
        double[]? beta = null;
        try
        {
            return Run(graph, order, alpha, ref beta, gradient);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(alpha);
            if (beta is not null)
            {
                ArrayPool<double>.Shared.Return(beta);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ForwardResult Run(Graph graph, int[] order, double[] alpha, ref double[]? beta, bool gradient)
    {
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
                var d = alpha[s] + final[s] - max;
                if (d > NegligibleExponent)
                {
                    sum += Math.Exp(d);
                }
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
        beta = ArrayPool<double>.Shared.Rent(graph.StateCount);
        Beta(graph, order, beta);
        var posteriors = new double[graph.ArcCount];
        var arcs = graph.ArcArray;
        var weights = graph.WeightArray;
        for (var a = 0; a < posteriors.Length; a++)
        {
            ref readonly var arc = ref arcs[a];
            var v = alpha[arc.Source] + weights[a] + beta[arc.Target] - score;
            // v ≤ 0 up to rounding; arcs on no accepting path have -infinity. Posteriors below e^-700 (1e-304)
            // are stored as 0 rather than computed through exp's slow subnormal path.
            posteriors[a] = v > NegligiblePosterior ? Math.Exp(v) : 0.0;
        }
        return new ForwardResult(score, posteriors, null);
    }

    /// <summary>alpha[s] = log Σ over paths from a start state to s of exp(path weight).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Alpha(Graph graph, int[] order, double[] alpha)
    {
        var index = graph.Index;
        var inOffsets = index.InOffsets;
        var inArcs = index.InArcs;
        var arcs = graph.ArcArray;
        var weights = graph.WeightArray;
        var isStart = graph.StartFlags;
        var scratch = ArrayPool<double>.Shared.Rent(MaxDegree(inOffsets) + 1);
        try
        {
            foreach (var s in order)
            {
                var lo = inOffsets[s];
                var count = inOffsets[s + 1] - lo;
                if (count == 1 && !isStart[s])
                {
                    // A single way in (most states of an alignment lattice): no exp, no log.
                    var a = inArcs[lo];
                    alpha[s] = alpha[arcs[a].Source] + weights[a];
                    continue;
                }
                var n = 0;
                if (isStart[s])
                {
                    scratch[n++] = 0.0;
                }
                for (var i = 0; i < count; i++)
                {
                    var a = inArcs[lo + i];
                    scratch[n++] = alpha[arcs[a].Source] + weights[a];
                }
                alpha[s] = LogSumExp(scratch, n);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scratch);
        }
    }

    /// <summary>beta[s] = log Σ over paths from s to acceptance of exp(path weight + final weight).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Beta(Graph graph, int[] order, double[] beta)
    {
        var index = graph.Index;
        var outOffsets = index.OutOffsets;
        var outArcs = index.OutArcs;
        var arcs = graph.ArcArray;
        var weights = graph.WeightArray;
        var final = graph.FinalArray;
        var scratch = ArrayPool<double>.Shared.Rent(MaxDegree(outOffsets) + 1);
        try
        {
            for (var k = order.Length - 1; k >= 0; k--)
            {
                var s = order[k];
                var lo = outOffsets[s];
                var count = outOffsets[s + 1] - lo;
                if (count == 1 && final[s] == double.NegativeInfinity)
                {
                    var a = outArcs[lo];
                    beta[s] = beta[arcs[a].Target] + weights[a];
                    continue;
                }
                var n = 0;
                if (final[s] > double.NegativeInfinity)
                {
                    scratch[n++] = final[s];
                }
                for (var i = 0; i < count; i++)
                {
                    var a = outArcs[lo + i];
                    scratch[n++] = beta[arcs[a].Target] + weights[a];
                }
                beta[s] = LogSumExp(scratch, n);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scratch);
        }
    }

    /// <summary>log Σ exp(values[0..count)): the maximum is factored out and its own term (exactly 1) is not
    /// exponentiated, so k terms cost k − 1 exps and one log; all exponents are ≤ 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double LogSumExp(double[] values, int count)
    {
        if (count == 0)
        {
            return double.NegativeInfinity;
        }
        var arg = 0;
        var max = values[0];
        for (var i = 1; i < count; i++)
        {
            if (values[i] > max)
            {
                max = values[i];
                arg = i;
            }
        }
        if (max == double.NegativeInfinity)
        {
            return max;
        }
        var sum = 0.0;
        for (var i = 0; i < count; i++)
        {
            var d = values[i] - max;
            // A term below e^-50 of the largest changes 1 + sum by less than double's resolution, and libm's exp
            // is many times slower where its result would be subnormal: skip such terms (and -infinity ones).
            if (i != arg && d > NegligibleExponent)
            {
                sum += Math.Exp(d);
            }
        }
        return max + Math.Log(1.0 + sum);
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
