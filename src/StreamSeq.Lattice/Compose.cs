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

        var states = new PairMap(first.StateCount, second.StateCount);
        var result = new Graph(Math.Max(first.StateCount, second.StateCount), Math.Max(first.ArcCount, second.ArcCount));
        var fromFirst = new IntList(result.ArcCount + 16);
        var fromSecond = new IntList(result.ArcCount + 16);
        // The queue holds result states in creation order; their (first, second, filter) triples sit alongside.
        var queueA = new IntList(64);
        var queueB = new IntList(64);
        var queueF = new IntList(64);

        int StateOf(int qa, int qb, int filter)
        {
            var id = states.Get(qa, qb, filter);
            if (id < 0)
            {
                id = result.AddState();
                states.Set(qa, qb, filter, id);
                queueA.Add(qa);
                queueB.Add(qb);
                queueF.Add(filter);
            }
            return id;
        }

        void AddArc(int source, int target, int input, int output, double weight, int a, int b)
        {
            result.AddArc(source, target, input, output, weight);
            fromFirst.Add(a);
            fromSecond.Add(b);
        }

        foreach (var sa in first.StartStates)
        {
            foreach (var sb in second.StartStates)
            {
                result.SetStart(StateOf(sa, sb, 0));
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
                result.SetFinal(source, aFinal[qa] + bFinal[qb]);
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

        var sourcesA = fromFirst.ToArray();
        var sourcesB = fromSecond.ToArray();
        var (_, coaccessible) = Subgraph.Reach(result);
        var keep = new int[result.StateCount];
        var kept = 0;
        for (var s = 0; s < result.StateCount; s++)
        {
            if (coaccessible[s])
            {
                keep[kept++] = s;
            }
        }
        if (kept < result.StateCount)
        {
            result = Subgraph.Keep(result, keep, kept, out var arcMap);
            sourcesA = Subgraph.Chain(arcMap, sourcesA);
            sourcesB = Subgraph.Chain(arcMap, sourcesB);
        }
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

    /// <summary>(first state, second state, filter) → result state: a flat array while the product is small
    /// (1 M entries, 4 MiB, at most), else a hash map.</summary>
    private sealed class PairMap
    {
        private const long DenseLimit = 1L << 20;
        private readonly int _second;
        private readonly int[]? _dense;
        private readonly Dictionary<long, int>? _sparse;

        public PairMap(int firstStates, int secondStates)
        {
            _second = secondStates;
            var size = (long)firstStates * secondStates * 2;
            if (size <= DenseLimit)
            {
                _dense = new int[size];
                Array.Fill(_dense, -1);
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
    }
}
