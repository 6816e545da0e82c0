namespace StreamSeq.Lattice;

/// <summary>
/// Removes arcs whose input and output are both epsilon. For every state p and every state q reachable from p by
/// epsilon arcs, with d(p, q) the ⊕-sum of those epsilon paths' weights (log-sum-exp or max, per semiring), each
/// non-epsilon arc q → r becomes an arc p → r weighted d(p, q) + w, and p's final weight becomes
/// ⊕ d(p, q) + final(q). The result keeps every string's forward score (log semiring) or Viterbi score
/// (tropical semiring); states left unreachable are trimmed. The epsilon arcs must not form a cycle.
/// </summary>
/// <remarks>A result arc sums over several epsilon paths, so it is not a copy of one source arc: the result has
/// no <see cref="Graph.Origin"/> and gradients stop here. Score the graph before removing epsilons to train.</remarks>
internal static class EpsilonRemoval
{
    public const string Operation = "epsilon removal";

    public static Graph Run(Graph graph, Semiring semiring)
    {
        var n = graph.StateCount;
        var arcs = graph.ArcArray;
        var weights = graph.WeightArray;
        var final = graph.FinalArray;
        var index = graph.Index;
        var position = EpsilonOrder(graph);
        var log = semiring == Semiring.Log;

        var result = new Graph(n, graph.ArcCount);
        result.AddStates(n);
        foreach (var s in graph.StartStates)
        {
            result.SetStart(s);
        }
        var distance = new double[n];
        Array.Fill(distance, double.NegativeInfinity);
        var reached = new bool[n];
        var reach = new List<int>();
        var stack = new Stack<int>();
        var comparer = Comparer<int>.Create((x, y) => position[x].CompareTo(position[y]));
        for (var p = 0; p < n; p++)
        {
            // The epsilon closure of p, then relax its epsilon arcs in epsilon-topological order.
            reach.Clear();
            reached[p] = true;
            reach.Add(p);
            stack.Push(p);
            while (stack.Count > 0)
            {
                var s = stack.Pop();
                for (var i = index.OutOffsets[s]; i < index.OutOffsets[s + 1]; i++)
                {
                    var a = index.OutArcs[i];
                    if (IsEpsilon(arcs[a]) && !reached[arcs[a].Target])
                    {
                        reached[arcs[a].Target] = true;
                        reach.Add(arcs[a].Target);
                        stack.Push(arcs[a].Target);
                    }
                }
            }
            reach.Sort(comparer);
            distance[p] = 0.0;
            foreach (var q in reach)
            {
                var dq = distance[q];
                if (dq == double.NegativeInfinity)
                {
                    continue;
                }
                for (var i = index.OutOffsets[q]; i < index.OutOffsets[q + 1]; i++)
                {
                    var a = index.OutArcs[i];
                    if (IsEpsilon(arcs[a]))
                    {
                        var t = arcs[a].Target;
                        var v = dq + weights[a];
                        distance[t] = log ? LogMath.Add(distance[t], v) : Math.Max(distance[t], v);
                    }
                }
            }
            var pFinal = double.NegativeInfinity;
            // Keep arcs in the original per-state order of the closure's states, p's own first.
            foreach (var q in reach)
            {
                var dq = distance[q];
                if (dq == double.NegativeInfinity)
                {
                    continue;
                }
                if (final[q] > double.NegativeInfinity)
                {
                    pFinal = log ? LogMath.Add(pFinal, dq + final[q]) : Math.Max(pFinal, dq + final[q]);
                }
                for (var i = index.OutOffsets[q]; i < index.OutOffsets[q + 1]; i++)
                {
                    var a = index.OutArcs[i];
                    if (!IsEpsilon(arcs[a]))
                    {
                        result.AddArcUnchecked(p, arcs[a].Target, arcs[a].Input, arcs[a].Output, dq + weights[a]);
                    }
                }
            }
            if (pFinal > double.NegativeInfinity)
            {
                result.SetFinal(p, pFinal);
            }
            foreach (var q in reach)
            {
                reached[q] = false;
                distance[q] = double.NegativeInfinity;
            }
        }
        var trimmed = Structure.Connect(result);
        trimmed.Origin = null;
        return trimmed;
    }

    private static bool IsEpsilon(in Arc arc) => arc.Input == Graph.Epsilon && arc.Output == Graph.Epsilon;

    /// <summary>Each state's position in a topological order of the epsilon arcs alone.</summary>
    private static int[] EpsilonOrder(Graph graph)
    {
        var epsilonOnly = new Graph(graph.StateCount, 16);
        epsilonOnly.AddStates(graph.StateCount);
        foreach (var arc in graph.Arcs)
        {
            if (IsEpsilon(arc))
            {
                epsilonOnly.AddArc(arc.Source, arc.Target, Graph.Epsilon);
            }
        }
        var index = epsilonOnly.Index;
        if (index.CycleState >= 0)
        {
            throw new GraphCycleException(Operation, index.CycleState, "epsilon subgraph");
        }
        var position = new int[graph.StateCount];
        var order = index.Topological!;
        for (var i = 0; i < order.Length; i++)
        {
            position[order[i]] = i;
        }
        return position;
    }
}
