namespace StreamSeq.Lattice;

/// <summary>
/// The rational operations: union, concatenation and Kleene closure. Each copies its inputs' arcs (so each result
/// arc has one source arc, kept in the origin) and adds epsilon arcs that carry no weight of their own except,
/// where an accepting state leads on, that state's final weight (a constant for gradients).
/// </summary>
internal static class Rational
{
    public static Graph Union(Graph[] graphs)
    {
        var result = new Graph(Sum(graphs, g => g.StateCount), Sum(graphs, g => g.ArcCount));
        var sources = new int[graphs.Length][];
        var arcTotal = Sum(graphs, g => g.ArcCount);
        for (var k = 0; k < graphs.Length; k++)
        {
            sources[k] = new int[arcTotal];
            Array.Fill(sources[k], -1);
            CopyInto(result, graphs[k], sources[k]);
        }
        result.Origin = new GraphOrigin("union", graphs, sources);
        return result;
    }

    public static Graph Concat(Graph[] graphs)
    {
        var result = new Graph();
        if (graphs.Length == 0)
        {
            result.AddState(start: true, accept: true);
            result.Origin = new GraphOrigin("concat", [], []);
            return result;
        }
        var arcTotal = Sum(graphs, g => g.ArcCount);
        var buffers = new IntList[graphs.Length];
        for (var k = 0; k < graphs.Length; k++)
        {
            buffers[k] = new IntList(arcTotal);
        }
        var offsets = new int[graphs.Length];
        for (var k = 0; k < graphs.Length; k++)
        {
            var g = graphs[k];
            offsets[k] = result.StateCount;
            var first = result.AddStates(g.StateCount);
            if (k == 0)
            {
                foreach (var s in g.StartStates)
                {
                    result.SetStart(first + s);
                }
            }
            if (k == graphs.Length - 1)
            {
                for (var s = 0; s < g.StateCount; s++)
                {
                    if (g.FinalArray[s] > double.NegativeInfinity)
                    {
                        result.SetFinal(first + s, g.FinalArray[s]);
                    }
                }
            }
        }
        for (var k = 0; k < graphs.Length; k++)
        {
            var g = graphs[k];
            var arcs = g.ArcArray;
            var weights = g.WeightArray;
            var index = g.Index;
            // State by state, own arcs first then the links onward, so per-state label order is kept as far as
            // the epsilon links allow.
            for (var s = 0; s < g.StateCount; s++)
            {
                if (k < graphs.Length - 1 && g.FinalArray[s] > double.NegativeInfinity)
                {
                    foreach (var next in graphs[k + 1].StartStates)
                    {
                        result.AddArcUnchecked(offsets[k] + s, offsets[k + 1] + next, Graph.Epsilon, Graph.Epsilon, g.FinalArray[s]);
                        for (var j = 0; j < graphs.Length; j++)
                        {
                            buffers[j].Add(-1);
                        }
                    }
                }
                for (var i = index.OutOffsets[s]; i < index.OutOffsets[s + 1]; i++)
                {
                    var a = index.OutArcs[i];
                    result.AddArcUnchecked(offsets[k] + s, offsets[k] + arcs[a].Target, arcs[a].Input, arcs[a].Output, weights[a]);
                    for (var j = 0; j < graphs.Length; j++)
                    {
                        buffers[j].Add(j == k ? a : -1);
                    }
                }
            }
        }
        var sources = new int[graphs.Length][];
        for (var k = 0; k < graphs.Length; k++)
        {
            sources[k] = buffers[k].ToArray();
        }
        result.Origin = new GraphOrigin("concat", graphs, sources);
        return result;
    }

    public static Graph Closure(Graph graph)
    {
        var result = new Graph(graph.StateCount + 1, graph.ArcCount + graph.StartStates.Length * 2);
        var start = result.AddState(start: true, accept: true);
        result.AddStates(graph.StateCount);
        var map = new IntList(graph.ArcCount + 4);
        // Epsilon links first at every state (they read nothing), then the copied arcs in order.
        foreach (var s in graph.StartStates)
        {
            result.AddArcUnchecked(start, 1 + s, Graph.Epsilon, Graph.Epsilon, 0.0);
            map.Add(-1);
        }
        var arcs = graph.ArcArray;
        var weights = graph.WeightArray;
        var index = graph.Index;
        for (var s = 0; s < graph.StateCount; s++)
        {
            var final = graph.FinalArray[s];
            if (final > double.NegativeInfinity)
            {
                result.SetFinal(1 + s, final);
                foreach (var t in graph.StartStates)
                {
                    result.AddArcUnchecked(1 + s, 1 + t, Graph.Epsilon, Graph.Epsilon, final);
                    map.Add(-1);
                }
            }
            for (var i = index.OutOffsets[s]; i < index.OutOffsets[s + 1]; i++)
            {
                var a = index.OutArcs[i];
                result.AddArcUnchecked(1 + s, 1 + arcs[a].Target, arcs[a].Input, arcs[a].Output, weights[a]);
                map.Add(a);
            }
        }
        result.Origin = new GraphOrigin("closure", [graph], [map.ToArray()]);
        return result;
    }

    /// <summary>Appends a copy of <paramref name="graph"/> to <paramref name="result"/>, recording each copied
    /// arc's source in <paramref name="sources"/> at its new number.</summary>
    private static void CopyInto(Graph result, Graph graph, int[] sources)
    {
        var first = result.AddStates(graph.StateCount);
        foreach (var s in graph.StartStates)
        {
            result.SetStart(first + s);
        }
        for (var s = 0; s < graph.StateCount; s++)
        {
            if (graph.FinalArray[s] > double.NegativeInfinity)
            {
                result.SetFinal(first + s, graph.FinalArray[s]);
            }
        }
        var arcs = graph.ArcArray;
        var weights = graph.WeightArray;
        for (var a = 0; a < graph.ArcCount; a++)
        {
            sources[result.AddArcUnchecked(first + arcs[a].Source, first + arcs[a].Target, arcs[a].Input, arcs[a].Output, weights[a])] = a;
        }
    }

    private static int Sum(Graph[] graphs, Func<Graph, int> count)
    {
        var total = 0;
        foreach (var g in graphs)
        {
            total += count(g);
        }
        return total;
    }
}
