using System.Runtime.CompilerServices;
namespace StreamSeq.Cli.Bench;

/// <summary>
/// The baselines of <c>bench lattice</c>: straightforward dense dynamic programming as one would first write it,
/// with a pairwise log-add (one exp and one log per term) and, for the composed lattice, a full S×S transition
/// matrix per frame (every pair of states visited, allowed or not). Same results as the library, so the bench
/// also checks agreement.
/// </summary>
internal static class NaiveLattice
{
    private static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a))
        {
            return b;
        }
        if (double.IsNegativeInfinity(b))
        {
            return a;
        }
        return Math.Max(a, b) + Math.Log(1.0 + Math.Exp(-Math.Abs(a - b)));
    }

    /// <summary>Forward over the T×V emission lattice; fills the T×V gradient when one is given.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double EmissionForward(double[] scores, int frames, int labels, double[]? gradient)
    {
        var alpha = new double[frames + 1];
        for (var t = 0; t < frames; t++)
        {
            var acc = double.NegativeInfinity;
            for (var v = 0; v < labels; v++)
            {
                acc = LogAdd(acc, alpha[t] + scores[t * labels + v]);
            }
            alpha[t + 1] = acc;
        }
        var z = alpha[frames];
        if (gradient is not null)
        {
            var beta = new double[frames + 1];
            for (var t = frames - 1; t >= 0; t--)
            {
                var acc = double.NegativeInfinity;
                for (var v = 0; v < labels; v++)
                {
                    acc = LogAdd(acc, beta[t + 1] + scores[t * labels + v]);
                }
                beta[t] = acc;
            }
            for (var t = 0; t < frames; t++)
            {
                for (var v = 0; v < labels; v++)
                {
                    gradient[t * labels + v] = Math.Exp(alpha[t] + scores[t * labels + v] + beta[t + 1] - z);
                }
            }
        }
        return z;
    }

    /// <summary>Viterbi over the T×V emission lattice; marks the best path in the gradient when one is given.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double EmissionViterbi(double[] scores, int frames, int labels, double[]? gradient)
    {
        var total = 0.0;
        if (gradient is not null)
        {
            Array.Clear(gradient);
        }
        for (var t = 0; t < frames; t++)
        {
            var best = 0;
            for (var v = 1; v < labels; v++)
            {
                if (scores[t * labels + v] > scores[t * labels + best])
                {
                    best = v;
                }
            }
            total += scores[t * labels + best];
            if (gradient is not null)
            {
                gradient[t * labels + best] = 1.0;
            }
        }
        return total;
    }

    /// <summary>The CTC alignment trellis of <paramref name="target"/> as a dense S×S transition matrix (0 where
    /// allowed, -infinity elsewhere), S = 2L + 1.</summary>
    public static (int[] StateLabel, double[] Transition) CtcTrellis(int[] target, int blank)
    {
        var s = 2 * target.Length + 1;
        var label = new int[s];
        for (var k = 0; k < s; k++)
        {
            label[k] = k % 2 == 0 ? blank : target[k / 2];
        }
        var transition = new double[s * s];
        Array.Fill(transition, double.NegativeInfinity);
        for (var i = 0; i < s; i++)
        {
            transition[i * s + i] = 0.0;
            if (i + 1 < s)
            {
                transition[i * s + i + 1] = 0.0;
            }
            if (i + 2 < s && label[i + 2] != blank && label[i + 2] != label[i])
            {
                transition[i * s + i + 2] = 0.0;
            }
        }
        return (label, transition);
    }

    /// <summary>Forward over the dense trellis (start in states 0 or 1, end in the last two); fills the T×V
    /// emission gradient when one is given.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double TrellisForward(double[] scores, int frames, int labels, int[] stateLabel, double[] transition, double[]? gradient)
    {
        var s = stateLabel.Length;
        var alpha = new double[frames * s];
        Array.Fill(alpha, double.NegativeInfinity);
        for (var j = 0; j < Math.Min(2, s); j++)
        {
            alpha[j] = scores[stateLabel[j]];
        }
        for (var t = 1; t < frames; t++)
        {
            for (var j = 0; j < s; j++)
            {
                var acc = double.NegativeInfinity;
                for (var i = 0; i < s; i++)
                {
                    acc = LogAdd(acc, alpha[(t - 1) * s + i] + transition[i * s + j]);
                }
                alpha[t * s + j] = acc + scores[t * labels + stateLabel[j]];
            }
        }
        var z = double.NegativeInfinity;
        for (var j = Math.Max(0, s - 2); j < s; j++)
        {
            z = LogAdd(z, alpha[(frames - 1) * s + j]);
        }
        if (gradient is null)
        {
            return z;
        }
        var beta = new double[frames * s];
        Array.Fill(beta, double.NegativeInfinity);
        for (var j = Math.Max(0, s - 2); j < s; j++)
        {
            beta[(frames - 1) * s + j] = 0.0;
        }
        for (var t = frames - 2; t >= 0; t--)
        {
            for (var i = 0; i < s; i++)
            {
                var acc = double.NegativeInfinity;
                for (var j = 0; j < s; j++)
                {
                    acc = LogAdd(acc, transition[i * s + j] + scores[(t + 1) * labels + stateLabel[j]] + beta[(t + 1) * s + j]);
                }
                beta[t * s + i] = acc;
            }
        }
        Array.Clear(gradient);
        for (var t = 0; t < frames; t++)
        {
            for (var j = 0; j < s; j++)
            {
                gradient[t * labels + stateLabel[j]] += Math.Exp(alpha[t * s + j] + beta[t * s + j] - z);
            }
        }
        return z;
    }

    /// <summary>Viterbi over the dense trellis with back-pointers; marks the best path's emissions when a gradient
    /// is given.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double TrellisViterbi(double[] scores, int frames, int labels, int[] stateLabel, double[] transition, double[]? gradient)
    {
        var s = stateLabel.Length;
        var best = new double[frames * s];
        var back = new int[frames * s];
        Array.Fill(best, double.NegativeInfinity);
        for (var j = 0; j < Math.Min(2, s); j++)
        {
            best[j] = scores[stateLabel[j]];
        }
        for (var t = 1; t < frames; t++)
        {
            for (var j = 0; j < s; j++)
            {
                var max = double.NegativeInfinity;
                var arg = -1;
                for (var i = 0; i < s; i++)
                {
                    var v = best[(t - 1) * s + i] + transition[i * s + j];
                    if (v > max)
                    {
                        max = v;
                        arg = i;
                    }
                }
                best[t * s + j] = max + scores[t * labels + stateLabel[j]];
                back[t * s + j] = arg;
            }
        }
        var end = s - 1;
        if (s >= 2 && best[(frames - 1) * s + s - 2] > best[(frames - 1) * s + s - 1])
        {
            end = s - 2;
        }
        var score = best[(frames - 1) * s + end];
        if (gradient is not null)
        {
            Array.Clear(gradient);
            for (var t = frames - 1; t >= 0 && end >= 0; t--)
            {
                gradient[t * labels + stateLabel[end]] = 1.0;
                end = back[t * s + end];
            }
        }
        return score;
    }
}
