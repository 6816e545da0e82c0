namespace StreamSeq.Lattice;

/// <summary>The reasons a graph has no accepting path, in the words results carry.</summary>
internal static class NoPath
{
    public const string Unreachable = "no accepting state is reachable from a start state with a finite score";

    /// <summary>A reason visible without a search (no states, no start, no accepting state), or null.</summary>
    public static string? StructuralReason(Graph graph)
    {
        if (graph.StateCount == 0)
        {
            return "the graph has no states (composition, intersection and connect trim a graph without accepting paths to nothing)";
        }
        if (graph.StartStates.Length == 0)
        {
            return "the graph has no start state";
        }
        foreach (var f in graph.FinalWeights)
        {
            if (f > double.NegativeInfinity)
            {
                return null;
            }
        }
        return "the graph has no accepting state";
    }
}
