using System.Buffers;
using System.Runtime.CompilerServices;

namespace StreamSeq.Lattice;

/// <summary>Viterbi (max-plus) over a DAG in topological order, keeping the best incoming arc of each state.</summary>
internal static class ViterbiScore
{
    public const string Operation = "viterbi";

    public static ViterbiResult Run(Graph graph)
    {
        var reason = NoPath.StructuralReason(graph);
        if (reason is not null)
        {
            return new ViterbiResult(LatticePath.None, graph.ArcCount, reason);
        }
        var order = graph.TopologicalOrder(Operation);
        var n = graph.StateCount;
        var best = ArrayPool<double>.Shared.Rent(n);
        var back = ArrayPool<int>.Shared.Rent(n);
        try
        {
            return Run(graph, order, best, back);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(best);
            ArrayPool<int>.Shared.Return(back);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ViterbiResult Run(Graph graph, int[] order, double[] best, int[] back)
    {
        var n = graph.StateCount;
        var index = graph.Index;
        var inOffsets = index.InOffsets;
        var inArcs = index.InArcs;
        var arcs = graph.ArcArray;
        var weights = graph.WeightArray;
        var isStart = graph.StartFlags;
        foreach (var s in order)
        {
            var max = isStart[s] ? 0.0 : double.NegativeInfinity;
            var arg = -1;
            for (var i = inOffsets[s]; i < inOffsets[s + 1]; i++)
            {
                var a = inArcs[i];
                var v = best[arcs[a].Source] + weights[a];
                if (v > max)
                {
                    max = v;
                    arg = a;
                }
            }
            best[s] = max;
            back[s] = arg;
        }
        var final = graph.FinalArray;
        var end = -1;
        var score = double.NegativeInfinity;
        for (var s = 0; s < n; s++)
        {
            var v = best[s] + final[s];
            if (v > score)
            {
                score = v;
                end = s;
            }
        }
        if (end < 0)
        {
            return new ViterbiResult(LatticePath.None, graph.ArcCount, NoPath.Unreachable);
        }
        var length = 0;
        for (var s = end; back[s] >= 0; s = arcs[back[s]].Source)
        {
            length++;
        }
        var path = new int[length];
        for (var s = end; back[s] >= 0; s = arcs[back[s]].Source)
        {
            path[--length] = back[s];
        }
        return new ViterbiResult(LatticePath.FromArcs(graph, path, score), graph.ArcCount, null);
    }
}
