namespace StreamSeq.Lattice;

/// <summary>One distinct label string of a lattice and the score of its best path.</summary>
/// <param name="Labels">The labels, epsilons left out.</param>
/// <param name="Score">The best path's score among the paths that spell it (tropical: max over alignments and
/// segmentations, not their sum).</param>
public sealed record LabelString(IReadOnlyList<int> Labels, double Score);

/// <summary>
/// The n best <em>distinct</em> label strings of a DAG. A lattice spells one string along many paths (CTC
/// alignments, segmentations), so the n best paths often repeat a string. Here the graph is projected on the
/// chosen side and its epsilons removed in the tropical semiring (which merges the paths that differ only in
/// epsilon moves), then n-best paths are listed in score order with a growing n until enough distinct strings
/// are seen; the first path of each string is its best, so each string's score is its Viterbi score.
/// </summary>
public static class NBestStrings
{
    /// <summary>The <paramref name="count"/> best distinct strings, best first.</summary>
    /// <param name="graph">An acyclic graph.</param>
    /// <param name="count">How many strings, ≥ 0.</param>
    /// <param name="side">Which labels spell the string (output for a recognition transducer).</param>
    /// <param name="maxPaths">The most paths listed while looking for distinct strings (the result may then
    /// hold fewer than <paramref name="count"/> strings).</param>
    /// <returns>The strings; empty when the graph has no accepting path.</returns>
    /// <exception cref="GraphCycleException">The graph has a cycle.</exception>
    public static IReadOnlyList<LabelString> Run(Graph graph, int count, ProjectSide side = ProjectSide.Output, int maxPaths = 20_000)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPaths, 1);
        if (count == 0 || NoPath.StructuralReason(graph) is not null)
        {
            return [];
        }
        if (!graph.IsAcyclic)
        {
            throw new GraphCycleException("n-best strings", graph.Index.CycleState);
        }
        var acceptor = GraphOps.RemoveEpsilon(GraphOps.Project(graph, side), Semiring.Tropical);
        var paths = count;
        while (true)
        {
            var found = GraphOps.NBest(acceptor, paths);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var result = new List<LabelString>(count);
            foreach (var path in found)
            {
                if (seen.Add(string.Join(',', path.Output)))
                {
                    result.Add(new LabelString(path.Output, path.Score));
                    if (result.Count == count)
                    {
                        return result;
                    }
                }
            }
            if (found.Count < paths || paths >= maxPaths)
            {
                return result;
            }
            paths = (int)Math.Min(maxPaths, (long)paths * 4);
        }
    }
}
