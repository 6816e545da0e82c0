namespace StreamSeq.Lattice;

/// <summary>
/// How a graph was made: the operation, its input graphs, and for every arc of the result the arc of each input
/// it came from (-1 where it came from none, e.g. the epsilon arcs that <see cref="GraphOps.Concat"/> adds). Every
/// operation that records an origin makes each result weight the sum of its source arcs' weights (composition:
/// one arc of each input; the others: a copy of one arc), so gradients flow back by scatter-add.
/// </summary>
public sealed class GraphOrigin
{
    internal GraphOrigin(string operation, Graph[] inputs, int[][] arcSources)
    {
        Operation = operation;
        Inputs = inputs;
        ArcSources = arcSources;
    }

    /// <summary>The operation, e.g. "compose".</summary>
    public string Operation { get; }

    /// <summary>The graphs the operation read, in argument order.</summary>
    public IReadOnlyList<Graph> Inputs { get; }

    /// <summary>For input k, <c>ArcSources[k][a]</c> is the arc of <c>Inputs[k]</c> that arc <c>a</c> of the result
    /// came from, or -1.</summary>
    public IReadOnlyList<int[]> ArcSources { get; }
}
