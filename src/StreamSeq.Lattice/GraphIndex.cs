using System.Runtime.CompilerServices;
namespace StreamSeq.Lattice;

/// <summary>
/// Per-state adjacency of a graph in compressed rows (out-arcs by source, in-arcs by target, each keeping arc
/// order within a state), and a topological order or a state on a cycle. Built in O(states + arcs) by counting
/// sort; immutable once built, so concurrent readers may share it.
/// </summary>
internal sealed class GraphIndex
{
    public required int[] OutOffsets { get; init; }
    public required int[] OutArcs { get; init; }
    public required int[] InOffsets { get; init; }
    public required int[] InArcs { get; init; }

    /// <summary>States in topological order; null when the graph has a cycle.</summary>
    public int[]? Topological { get; init; }

    /// <summary>True when state numbers themselves are a topological order (every arc goes to a higher state).</summary>
    public bool NumberedInOrder { get; init; }

    /// <summary>A state on a directed cycle, or -1 for an acyclic graph.</summary>
    public int CycleState { get; init; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static GraphIndex Build(Graph graph)
    {
        var n = graph.StateCount;
        var m = graph.ArcCount;
        var arcs = graph.ArcArray;
        var outOffsets = new int[n + 1];
        var inOffsets = new int[n + 1];
        var forward = true;
        for (var a = 0; a < m; a++)
        {
            ref readonly var arc = ref arcs[a];
            outOffsets[arc.Source + 1]++;
            inOffsets[arc.Target + 1]++;
            if (arc.Target <= arc.Source)
            {
                forward = false;
            }
        }
        for (var s = 0; s < n; s++)
        {
            outOffsets[s + 1] += outOffsets[s];
            inOffsets[s + 1] += inOffsets[s];
        }
        var outArcs = new int[m];
        var inArcs = new int[m];
        var outFill = new int[n];
        var inFill = new int[n];
        Array.Copy(outOffsets, outFill, n);
        Array.Copy(inOffsets, inFill, n);
        for (var a = 0; a < m; a++)
        {
            ref readonly var arc = ref arcs[a];
            outArcs[outFill[arc.Source]++] = a;
            inArcs[inFill[arc.Target]++] = a;
        }

        int[]? order;
        var cycleState = -1;
        if (forward)
        {
            order = new int[n];
            for (var s = 0; s < n; s++)
            {
                order[s] = s;
            }
        }
        else
        {
            order = Kahn(n, arcs, outOffsets, outArcs, inOffsets, inArcs, out cycleState);
        }
        return new GraphIndex
        {
            OutOffsets = outOffsets,
            OutArcs = outArcs,
            InOffsets = inOffsets,
            InArcs = inArcs,
            Topological = order,
            NumberedInOrder = forward,
            CycleState = cycleState,
        };
    }

    private static int[]? Kahn(int n, Arc[] arcs, int[] outOffsets, int[] outArcs, int[] inOffsets, int[] inArcs, out int cycleState)
    {
        var remaining = new int[n];
        for (var s = 0; s < n; s++)
        {
            remaining[s] = inOffsets[s + 1] - inOffsets[s];
        }
        var order = new int[n];
        var head = 0;
        var tail = 0;
        for (var s = 0; s < n; s++)
        {
            if (remaining[s] == 0)
            {
                order[tail++] = s;
            }
        }
        while (head < tail)
        {
            var s = order[head++];
            for (var i = outOffsets[s]; i < outOffsets[s + 1]; i++)
            {
                var t = arcs[outArcs[i]].Target;
                if (--remaining[t] == 0)
                {
                    order[tail++] = t;
                }
            }
        }
        if (tail == n)
        {
            cycleState = -1;
            return order;
        }
        // Every state left has a predecessor that is also left (else it would have been emitted), so walking
        // predecessors among them must revisit a state: that state lies on a cycle.
        var seen = new bool[n];
        var state = 0;
        while (remaining[state] == 0)
        {
            state++;
        }
        while (!seen[state])
        {
            seen[state] = true;
            for (var i = inOffsets[state]; i < inOffsets[state + 1]; i++)
            {
                var source = arcs[inArcs[i]].Source;
                if (remaining[source] > 0)
                {
                    state = source;
                    break;
                }
            }
        }
        cycleState = state;
        return null;
    }
}
