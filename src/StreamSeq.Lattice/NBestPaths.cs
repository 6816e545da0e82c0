using System.Runtime.CompilerServices;
namespace StreamSeq.Lattice;

/// <summary>
/// The n best accepting paths of a DAG, best first, by A* over partial paths with an exact heuristic: the best
/// completion score of every state (a backward Viterbi pass). With an exact heuristic a popped partial path never
/// needs revisiting, so the k-th accepting path popped is the k-th best and the search does O(n · path length)
/// pops times the out-degree in pushes. Paths are distinct as arc sequences (two paths with the same labels are
/// both listed; determinise or remove epsilons first for distinct strings).
/// </summary>
internal static class NBestPaths
{
    public const string Operation = "n-best paths";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static IReadOnlyList<LatticePath> Run(Graph graph, int count)
    {
        if (count == 0 || NoPath.StructuralReason(graph) is not null)
        {
            return [];
        }
        var order = graph.TopologicalOrder(Operation);
        var n = graph.StateCount;
        var arcs = graph.ArcArray;
        var weights = graph.WeightArray;
        var final = graph.FinalArray;
        var index = graph.Index;
        var outOffsets = index.OutOffsets;
        var outArcs = index.OutArcs;

        // future[s]: the best score from s to acceptance (final weight included).
        var future = new double[n];
        for (var k = order.Length - 1; k >= 0; k--)
        {
            var s = order[k];
            var max = final[s];
            for (var i = outOffsets[s]; i < outOffsets[s + 1]; i++)
            {
                var a = outArcs[i];
                var v = weights[a] + future[arcs[a].Target];
                if (v > max)
                {
                    max = v;
                }
            }
            future[s] = max;
        }

        // Search nodes: a partial path is its last arc and its parent node; Arc == -1 with State >= 0 is a path
        // start, Arc == Accept is a finished path (its parent ends in an accepting state).
        const int Accept = -2;
        var nodes = new List<Node>();
        var queue = new PriorityQueue<int, double>();
        foreach (var s in graph.StartStates)
        {
            if (future[s] > double.NegativeInfinity)
            {
                nodes.Add(new Node(-1, -1, s, 0.0));
                queue.Enqueue(nodes.Count - 1, -future[s]);
            }
        }
        var results = new List<LatticePath>(Math.Min(count, 1024));
        var pathArcs = new List<int>();
        while (queue.Count > 0 && results.Count < count)
        {
            var id = queue.Dequeue();
            var node = nodes[id];
            if (node.Arc == Accept)
            {
                pathArcs.Clear();
                for (var p = node.Parent; p >= 0 && nodes[p].Arc >= 0; p = nodes[p].Parent)
                {
                    pathArcs.Add(nodes[p].Arc);
                }
                pathArcs.Reverse();
                results.Add(LatticePath.FromArcs(graph, [.. pathArcs], node.Score));
                continue;
            }
            var state = node.State;
            if (final[state] > double.NegativeInfinity)
            {
                nodes.Add(new Node(id, Accept, state, node.Score + final[state]));
                queue.Enqueue(nodes.Count - 1, -(node.Score + final[state]));
            }
            for (var i = outOffsets[state]; i < outOffsets[state + 1]; i++)
            {
                var a = outArcs[i];
                var target = arcs[a].Target;
                if (future[target] == double.NegativeInfinity || weights[a] == double.NegativeInfinity)
                {
                    continue;
                }
                var g = node.Score + weights[a];
                nodes.Add(new Node(id, a, target, g));
                queue.Enqueue(nodes.Count - 1, -(g + future[target]));
            }
        }
        return results;
    }

    private readonly record struct Node(int Parent, int Arc, int State, double Score);
}
