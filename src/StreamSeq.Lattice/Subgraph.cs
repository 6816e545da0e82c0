namespace StreamSeq.Lattice;

/// <summary>Copies of a graph restricted to, or reordered over, some of its states; shared by connect,
/// topological sort and composition's final trim.</summary>
internal static class Subgraph
{
    /// <summary>The graph on the states in <paramref name="states"/> (new number = position there), with every arc
    /// between two kept states, emitted state by state in that order; <paramref name="arcMap"/>[new] = old arc.</summary>
    public static Graph Keep(Graph graph, int[] states, int stateCount, out int[] arcMap)
    {
        var renumber = new int[graph.StateCount];
        Array.Fill(renumber, -1);
        for (var i = 0; i < stateCount; i++)
        {
            renumber[states[i]] = i;
        }
        var result = new Graph(stateCount, graph.ArcCount);
        result.AddStates(stateCount);
        var final = graph.FinalArray;
        for (var i = 0; i < stateCount; i++)
        {
            if (final[states[i]] > double.NegativeInfinity)
            {
                result.SetFinal(i, final[states[i]]);
            }
        }
        foreach (var s in graph.StartStates)
        {
            if (renumber[s] >= 0)
            {
                result.SetStart(renumber[s]);
            }
        }
        var arcs = graph.ArcArray;
        var weights = graph.WeightArray;
        var index = graph.Index;
        var map = new IntList(graph.ArcCount);
        for (var i = 0; i < stateCount; i++)
        {
            var s = states[i];
            for (var k = index.OutOffsets[s]; k < index.OutOffsets[s + 1]; k++)
            {
                var a = index.OutArcs[k];
                var target = renumber[arcs[a].Target];
                if (target >= 0)
                {
                    result.AddArcUnchecked(i, target, arcs[a].Input, arcs[a].Output, weights[a]);
                    map.Add(a);
                }
            }
        }
        arcMap = map.ToArray();
        return result;
    }

    /// <summary>Marks states reachable from a start state (forward) and states from which an accepting state is
    /// reachable (backward). Structural: weights are ignored, so a trimmed graph stays valid when new weights
    /// (even -infinity) are written into it later.</summary>
    public static (bool[] Accessible, bool[] Coaccessible) Reach(Graph graph)
    {
        var n = graph.StateCount;
        var arcs = graph.ArcArray;
        var index = graph.Index;
        var accessible = new bool[n];
        var coaccessible = new bool[n];
        var stack = new int[Math.Max(1, n)];
        var top = 0;
        foreach (var s in graph.StartStates)
        {
            accessible[s] = true;
            stack[top++] = s;
        }
        while (top > 0)
        {
            var s = stack[--top];
            for (var k = index.OutOffsets[s]; k < index.OutOffsets[s + 1]; k++)
            {
                var a = index.OutArcs[k];
                var t = arcs[a].Target;
                if (!accessible[t])
                {
                    accessible[t] = true;
                    stack[top++] = t;
                }
            }
        }
        var final = graph.FinalArray;
        for (var s = 0; s < n; s++)
        {
            if (final[s] > double.NegativeInfinity)
            {
                coaccessible[s] = true;
                stack[top++] = s;
            }
        }
        while (top > 0)
        {
            var s = stack[--top];
            for (var k = index.InOffsets[s]; k < index.InOffsets[s + 1]; k++)
            {
                var a = index.InArcs[k];
                var t = arcs[a].Source;
                if (!coaccessible[t])
                {
                    coaccessible[t] = true;
                    stack[top++] = t;
                }
            }
        }
        return (accessible, coaccessible);
    }

    /// <summary>Composes two arc maps: result arc → intermediate arc → source arc.</summary>
    public static int[] Chain(int[] outer, int[] inner)
    {
        var chained = new int[outer.Length];
        for (var a = 0; a < outer.Length; a++)
        {
            chained[a] = inner[outer[a]];
        }
        return chained;
    }
}
