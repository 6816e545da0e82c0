namespace StreamSeq.Lattice;

/// <summary>Operations that keep every path but change labels, state numbering or arc order: projection,
/// topological sort, connect (trim) and arc sort. Each result arc is a copy of one input arc.</summary>
internal static class Structure
{
    public static Graph Project(Graph graph, ProjectSide side)
    {
        var result = new Graph(graph.StateCount, graph.ArcCount);
        result.AddStates(graph.StateCount);
        CopyStates(graph, result);
        var arcs = graph.ArcArray;
        var weights = graph.WeightArray;
        var map = new int[graph.ArcCount];
        for (var a = 0; a < graph.ArcCount; a++)
        {
            var label = side == ProjectSide.Input ? arcs[a].Input : arcs[a].Output;
            result.AddArcUnchecked(arcs[a].Source, arcs[a].Target, label, label, weights[a]);
            map[a] = a;
        }
        result.Origin = new GraphOrigin(side == ProjectSide.Input ? "project input" : "project output", [graph], [map]);
        return result;
    }

    public static Graph TopologicalSort(Graph graph)
    {
        var order = graph.TopologicalOrder("topological sort");
        var result = Subgraph.Keep(graph, order, order.Length, out var map);
        result.Origin = new GraphOrigin("topological sort", [graph], [map]);
        return result;
    }

    public static Graph Connect(Graph graph)
    {
        var (accessible, coaccessible) = Subgraph.Reach(graph);
        var keep = new int[graph.StateCount];
        var kept = 0;
        for (var s = 0; s < graph.StateCount; s++)
        {
            if (accessible[s] && coaccessible[s])
            {
                keep[kept++] = s;
            }
        }
        var result = Subgraph.Keep(graph, keep, kept, out var map);
        result.Origin = new GraphOrigin("connect", [graph], [map]);
        return result;
    }

    public static Graph ArcSort(Graph graph, ProjectSide key)
    {
        var result = new Graph(graph.StateCount, graph.ArcCount);
        result.AddStates(graph.StateCount);
        CopyStates(graph, result);
        var arcs = graph.ArcArray;
        var weights = graph.WeightArray;
        var index = graph.Index;
        var map = new int[graph.ArcCount];
        var next = 0;
        var buffer = new int[ForwardScore.MaxDegree(index.OutOffsets)];
        var keys = new long[buffer.Length];
        for (var s = 0; s < graph.StateCount; s++)
        {
            var lo = index.OutOffsets[s];
            var count = index.OutOffsets[s + 1] - lo;
            for (var i = 0; i < count; i++)
            {
                var a = index.OutArcs[lo + i];
                buffer[i] = a;
                var primary = key == ProjectSide.Input ? arcs[a].Input : arcs[a].Output;
                // Sort by the key label, then by arc number (stable); labels are ≥ -1 so +1 keeps them ≥ 0.
                keys[i] = ((long)(primary + 1) << 32) | (uint)a;
            }
            Array.Sort(keys, buffer, 0, count);
            for (var i = 0; i < count; i++)
            {
                var a = buffer[i];
                result.AddArcUnchecked(s, arcs[a].Target, arcs[a].Input, arcs[a].Output, weights[a]);
                map[next++] = a;
            }
        }
        result.Origin = new GraphOrigin(key == ProjectSide.Input ? "arc sort input" : "arc sort output", [graph], [map]);
        return result;
    }

    private static void CopyStates(Graph from, Graph to)
    {
        foreach (var s in from.StartStates)
        {
            to.SetStart(s);
        }
        var final = from.FinalArray;
        for (var s = 0; s < from.StateCount; s++)
        {
            if (final[s] > double.NegativeInfinity)
            {
                to.SetFinal(s, final[s]);
            }
        }
    }
}
