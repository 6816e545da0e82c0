using System.Runtime.CompilerServices;
namespace StreamSeq.Lattice;

/// <summary>
/// Composition of two transducers: a path of the result pairs a path of <c>first</c> with a path of <c>second</c>
/// whose input reads the first's output, scoring the sum of both. Epsilons: an output-epsilon arc of the first
/// moves the first alone, an input-epsilon arc of the second moves the second alone, and a filter state lets
/// first-side epsilon moves happen only before second-side ones between two matched labels, so each pair of
/// paths appears exactly once (sums over paths stay exact). Only pairs reachable from the start pairs are built,
/// and states that cannot reach acceptance are trimmed.
/// </summary>
/// <remarks>
/// Label matching at a state pair scans all arc pairs when neither side is sorted (O(d₁·d₂)); when the second
/// graph is input-sorted (or else the first is output-sorted), each arc of the other side binary-searches the
/// run of equal labels (O(d · log d)). Emission graphs from <see cref="Emissions.ToGraph(ReadOnlySpan{double}, int, int)"/>
/// are sorted by construction.
/// </remarks>
internal static class Compose
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Graph Run(Graph first, Graph second, string operation)
    {
        var aArcs = first.ArcArray;
        var bArcs = second.ArcArray;
        var aWeights = first.WeightArray;
        var bWeights = second.WeightArray;
        var aIndex = first.Index;
        var bIndex = second.Index;
        var aFinal = first.FinalArray;
        var bFinal = second.FinalArray;
        var mode = second.IsInputSorted ? Match.SearchSecond : first.IsOutputSorted ? Match.SearchFirst : Match.Scan;
        var guess = Math.Max(first.ArcCount, second.ArcCount) * 4;

        // Everything is built in pooled buffers first; the result graph is allocated once, exactly sized, after
        // the states that cannot reach acceptance are known.
        using var states = new PairMap(first.StateCount, second.StateCount);
        using var queueA = new PooledList<int>(guess / 2);
        using var queueB = new PooledList<int>(guess / 2);
        using var queueF = new PooledList<int>(guess / 2);
        using var finals = new PooledList<double>(guess / 2);
        using var starts = new PooledList<int>(16);
        using var arcs = new PooledList<Arc>(guess);
        using var weights = new PooledList<double>(guess);
        using var fromFirst = new PooledList<int>(guess);
        using var fromSecond = new PooledList<int>(guess);

        int StateOf(int qa, int qb, int filter)
        {
            var id = states.Get(qa, qb, filter);
            if (id < 0)
            {
                id = queueA.Count;
                states.Set(qa, qb, filter, id);
                queueA.Add(qa);
                queueB.Add(qb);
                queueF.Add(filter);
                finals.Add(double.NegativeInfinity);
            }
            return id;
        }

        void AddArc(int source, int target, int input, int output, double weight, int a, int b)
        {
            arcs.Add(new Arc(source, target, input, output));
            weights.Add(weight);
            fromFirst.Add(a);
            fromSecond.Add(b);
        }

        foreach (var sa in first.StartStates)
        {
            foreach (var sb in second.StartStates)
            {
                var before = queueA.Count;
                var id = StateOf(sa, sb, 0);
                if (id == before)
                {
                    starts.Add(id);
                }
            }
        }

        for (var head = 0; head < queueA.Count; head++)
        {
            var qa = queueA[head];
            var qb = queueB[head];
            var filter = queueF[head];
            var source = head;
            if (aFinal[qa] > double.NegativeInfinity && bFinal[qb] > double.NegativeInfinity)
            {
                finals[source] = aFinal[qa] + bFinal[qb];
            }
            var aLo = aIndex.OutOffsets[qa];
            var aHi = aIndex.OutOffsets[qa + 1];
            var bLo = bIndex.OutOffsets[qb];
            var bHi = bIndex.OutOffsets[qb + 1];

            // Matched labels: both sides move.
            switch (mode)
            {
                case Match.SearchSecond:
                    for (var i = aLo; i < aHi; i++)
                    {
                        var x = aIndex.OutArcs[i];
                        var label = aArcs[x].Output;
                        if (label == Graph.Epsilon)
                        {
                            continue;
                        }
                        for (var j = LowerBound(bIndex.OutArcs, bLo, bHi, bArcs, label, input: true); j < bHi; j++)
                        {
                            var y = bIndex.OutArcs[j];
                            if (bArcs[y].Input != label)
                            {
                                break;
                            }
                            AddArc(source, StateOf(aArcs[x].Target, bArcs[y].Target, 0), aArcs[x].Input, bArcs[y].Output, aWeights[x] + bWeights[y], x, y);
                        }
                    }
                    break;
                case Match.SearchFirst:
                    for (var j = bLo; j < bHi; j++)
                    {
                        var y = bIndex.OutArcs[j];
                        var label = bArcs[y].Input;
                        if (label == Graph.Epsilon)
                        {
                            continue;
                        }
                        for (var i = LowerBound(aIndex.OutArcs, aLo, aHi, aArcs, label, input: false); i < aHi; i++)
                        {
                            var x = aIndex.OutArcs[i];
                            if (aArcs[x].Output != label)
                            {
                                break;
                            }
                            AddArc(source, StateOf(aArcs[x].Target, bArcs[y].Target, 0), aArcs[x].Input, bArcs[y].Output, aWeights[x] + bWeights[y], x, y);
                        }
                    }
                    break;
                default:
                    for (var i = aLo; i < aHi; i++)
                    {
                        var x = aIndex.OutArcs[i];
                        var label = aArcs[x].Output;
                        if (label == Graph.Epsilon)
                        {
                            continue;
                        }
                        for (var j = bLo; j < bHi; j++)
                        {
                            var y = bIndex.OutArcs[j];
                            if (bArcs[y].Input == label)
                            {
                                AddArc(source, StateOf(aArcs[x].Target, bArcs[y].Target, 0), aArcs[x].Input, bArcs[y].Output, aWeights[x] + bWeights[y], x, y);
                            }
                        }
                    }
                    break;
            }

            // The first side's output-epsilon moves, only before any second-side epsilon move (filter 0).
            if (filter == 0)
            {
                for (var i = aLo; i < aHi; i++)
                {
                    var x = aIndex.OutArcs[i];
                    if (aArcs[x].Output == Graph.Epsilon)
                    {
                        AddArc(source, StateOf(aArcs[x].Target, qb, 0), aArcs[x].Input, Graph.Epsilon, aWeights[x], x, -1);
                    }
                    else if (first.IsOutputSorted)
                    {
                        break;
                    }
                }
            }
            // The second side's input-epsilon moves; afterwards the first side waits for the next match.
            for (var j = bLo; j < bHi; j++)
            {
                var y = bIndex.OutArcs[j];
                if (bArcs[y].Input == Graph.Epsilon)
                {
                    AddArc(source, StateOf(qa, bArcs[y].Target, 1), Graph.Epsilon, bArcs[y].Output, bWeights[y], -1, y);
                }
                else if (second.IsInputSorted)
                {
                    break;
                }
            }
        }

        return Trim(first, second, operation, finals.Span, starts.Span, arcs.Span, weights.Span, fromFirst.Span, fromSecond.Span);
    }

    /// <summary>Drops states that cannot reach acceptance (every state is reachable by construction) and allocates
    /// the result, exactly sized, with states renumbered in creation order and arcs in creation order (grouped by
    /// source, so per-state arc order is kept).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Graph Trim(Graph first, Graph second, string operation, Span<double> finals, Span<int> starts,
        Span<Arc> arcs, Span<double> weights, Span<int> fromFirst, Span<int> fromSecond)
    {
        var n = finals.Length;
        var m = arcs.Length;
        using var inOffsets = new PooledList<int>(n + 1);
        using var inArcs = new PooledList<int>(m);
        using var stack = new PooledList<int>(n);
        using var renumber = new PooledList<int>(n);
        for (var s = 0; s <= n; s++)
        {
            inOffsets.Add(0);
        }
        for (var s = 0; s < n; s++)
        {
            renumber.Add(-1);
        }
        for (var a = 0; a < m; a++)
        {
            inOffsets[arcs[a].Target + 1]++;
            inArcs.Add(0);
        }
        for (var s = 0; s < n; s++)
        {
            inOffsets[s + 1] += inOffsets[s];
        }
        // Fill by walking arcs backwards and decrementing the end offsets (no separate cursor array).
        for (var a = m - 1; a >= 0; a--)
        {
            inArcs[--inOffsets[arcs[a].Target + 1]] = a;
        }
        // inOffsets[s + 1] now holds the start of state s's in-arcs; they end where state s + 1's begin.
        // Reverse reachability from accepting states; renumber marks visited with 0 for now.
        for (var s = 0; s < n; s++)
        {
            if (finals[s] > double.NegativeInfinity)
            {
                renumber[s] = 0;
                stack.Add(s);
            }
        }
        // Each state is pushed at most once, so room for n entries is enough.
        var top = stack.Count;
        while (stack.Count < n)
        {
            stack.Add(0);
        }
        var stackSpan = stack.Span;
        while (top > 0)
        {
            var s = stackSpan[--top];
            var end = s + 2 <= n ? inOffsets[s + 2] : m;
            for (var k = inOffsets[s + 1]; k < end; k++)
            {
                var source = arcs[inArcs[k]].Source;
                if (renumber[source] < 0)
                {
                    renumber[source] = 0;
                    stackSpan[top++] = source;
                }
            }
        }
        var kept = 0;
        for (var s = 0; s < n; s++)
        {
            if (renumber[s] == 0)
            {
                renumber[s] = kept++;
            }
        }
        var keptArcs = 0;
        for (var a = 0; a < m; a++)
        {
            if (renumber[arcs[a].Source] >= 0 && renumber[arcs[a].Target] >= 0)
            {
                keptArcs++;
            }
        }
        var final = new double[kept];
        for (var s = 0; s < n; s++)
        {
            if (renumber[s] >= 0)
            {
                final[renumber[s]] = finals[s];
            }
        }
        var outArcs = new Arc[keptArcs];
        var outWeights = new double[keptArcs];
        var sourcesA = new int[keptArcs];
        var sourcesB = new int[keptArcs];
        var next = 0;
        for (var a = 0; a < m; a++)
        {
            var source = renumber[arcs[a].Source];
            var target = renumber[arcs[a].Target];
            if (source >= 0 && target >= 0)
            {
                outArcs[next] = new Arc(source, target, arcs[a].Input, arcs[a].Output);
                outWeights[next] = weights[a];
                sourcesA[next] = fromFirst[a];
                sourcesB[next] = fromSecond[a];
                next++;
            }
        }
        var keptStarts = new List<int>(starts.Length);
        foreach (var s in starts)
        {
            if (renumber[s] >= 0)
            {
                keptStarts.Add(renumber[s]);
            }
        }
        var result = Graph.FromArrays(final, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(keptStarts), outArcs, outWeights, keptArcs);
        result.Origin = new GraphOrigin(operation, [first, second], [sourcesA, sourcesB]);
        return result;
    }

    /// <summary>First position in <c>list[lo..hi)</c> whose arc's label (input or output) is ≥ <paramref name="label"/>.</summary>
    private static int LowerBound(int[] list, int lo, int hi, Arc[] arcs, int label, bool input)
    {
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            var value = input ? arcs[list[mid]].Input : arcs[list[mid]].Output;
            if (value < label)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    private enum Match
    {
        Scan,
        SearchSecond,
        SearchFirst,
    }

    /// <summary>(first state, second state, filter) → result state: a pooled flat array while the product is
    /// small (1 M entries, 4 MiB, at most), else a hash map.</summary>
    private sealed class PairMap : IDisposable
    {
        private const long DenseLimit = 1L << 20;
        private readonly int _second;
        private int[]? _dense;
        private readonly Dictionary<long, int>? _sparse;

        public PairMap(int firstStates, int secondStates)
        {
            _second = secondStates;
            var size = (long)firstStates * secondStates * 2;
            if (size <= DenseLimit)
            {
                _dense = System.Buffers.ArrayPool<int>.Shared.Rent((int)Math.Max(1, size));
                Array.Fill(_dense, -1, 0, (int)size);
            }
            else
            {
                _sparse = new Dictionary<long, int>();
            }
        }

        public int Get(int a, int b, int filter)
        {
            var key = ((long)a * _second + b) * 2 + filter;
            if (_dense is not null)
            {
                return _dense[key];
            }
            return _sparse!.TryGetValue(key, out var id) ? id : -1;
        }

        public void Set(int a, int b, int filter, int id)
        {
            var key = ((long)a * _second + b) * 2 + filter;
            if (_dense is not null)
            {
                _dense[key] = id;
            }
            else
            {
                _sparse![key] = id;
            }
        }

        public void Dispose()
        {
            if (_dense is not null)
            {
                System.Buffers.ArrayPool<int>.Shared.Return(_dense);
                _dense = null;
            }
        }
    }
}
