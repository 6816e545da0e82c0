namespace StreamSeq.Lattice.Tests.Support;

/// <summary>One enumerated accepting path.</summary>
internal sealed record EnumeratedPath(int[] Arcs, int[] Input, int[] Output, double Score)
{
    public string Key => string.Join(',', Input) + "|" + string.Join(',', Output);
}

/// <summary>Reference results by enumerating every accepting path (depth-first; bounded by arc count for
/// cyclic graphs).</summary>
internal static class BruteForce
{
    public static List<EnumeratedPath> Paths(Graph graph, int maxArcs = 64)
    {
        var paths = new List<EnumeratedPath>();
        var arcs = new List<int>();
        foreach (var s in graph.StartStates)
        {
            Walk(graph, s, 0.0, arcs, paths, maxArcs);
        }
        return paths;
    }

    private static void Walk(Graph graph, int state, double score, List<int> arcs, List<EnumeratedPath> paths, int maxArcs)
    {
        if (graph.IsAccept(state) && score > double.NegativeInfinity)
        {
            var all = graph.Arcs;
            var input = new List<int>();
            var output = new List<int>();
            foreach (var a in arcs)
            {
                if (all[a].Input != Graph.Epsilon)
                {
                    input.Add(all[a].Input);
                }
                if (all[a].Output != Graph.Epsilon)
                {
                    output.Add(all[a].Output);
                }
            }
            paths.Add(new EnumeratedPath([.. arcs], [.. input], [.. output], score + graph.FinalWeights[state]));
        }
        if (arcs.Count == maxArcs)
        {
            return;
        }
        for (var a = 0; a < graph.ArcCount; a++)
        {
            if (graph.Arcs[a].Source == state)
            {
                arcs.Add(a);
                Walk(graph, graph.Arcs[a].Target, score + graph.Weights[a], arcs, paths, maxArcs);
                arcs.RemoveAt(arcs.Count - 1);
            }
        }
    }

    public static double LogSumExp(IEnumerable<double> values)
    {
        var list = values.ToList();
        if (list.Count == 0)
        {
            return double.NegativeInfinity;
        }
        var max = list.Max();
        if (double.IsNegativeInfinity(max))
        {
            return max;
        }
        return max + Math.Log(list.Sum(v => Math.Exp(v - max)));
    }

    /// <summary>Asserts two path multisets are equal as (labels, score) pairs, scores within a tolerance.</summary>
    public static void AssertSamePaths(IEnumerable<(string Key, double Score)> expected, IEnumerable<(string Key, double Score)> actual, string context)
    {
        var e = expected.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Score).ToList();
        var a = actual.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Score).ToList();
        Assert.True(e.Count == a.Count, $"{context}: {e.Count} expected paths, {a.Count} actual\nexpected: {string.Join("; ", e)}\nactual: {string.Join("; ", a)}");
        for (var i = 0; i < e.Count; i++)
        {
            Assert.True(e[i].Key == a[i].Key && Math.Abs(e[i].Score - a[i].Score) < 1e-9,
                $"{context}: path {i}: expected {e[i]}, actual {a[i]}");
        }
    }

    public static IEnumerable<(string Key, double Score)> Keyed(IEnumerable<EnumeratedPath> paths) => paths.Select(p => (p.Key, p.Score));

    /// <summary>Central finite difference of <paramref name="score"/> with respect to one arc weight.</summary>
    public static double FiniteDifference(Graph graph, int arc, Func<double> score, double step = 1e-5)
    {
        var original = graph.Weights[arc];
        graph.Weights[arc] = original + step;
        var up = score();
        graph.Weights[arc] = original - step;
        var down = score();
        graph.Weights[arc] = original;
        return (up - down) / (2 * step);
    }
}
