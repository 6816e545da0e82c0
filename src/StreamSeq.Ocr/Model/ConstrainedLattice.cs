using StreamSeq.Lattice;

namespace StreamSeq.Ocr.Model;

/// <summary>
/// A recognition lattice (output labels = character classes) composed with <see cref="OcrConstraints"/>: the
/// graph to search, and the way back from its arcs to the lattice's arcs (through each composition's origin),
/// so a reading can recover the frames or segments its characters came from.
/// </summary>
public sealed class ConstrainedLattice
{
    private readonly Graph[] _chain;

    private ConstrainedLattice(Graph[] chain) => _chain = chain;

    /// <summary>The lattice before the constraints.</summary>
    public Graph Base => _chain[0];

    /// <summary>The lattice after every constraint (the base itself when there is none).</summary>
    public Graph Graph => _chain[^1];

    /// <summary>Composes <paramref name="lattice"/> with each constraint in turn.</summary>
    /// <param name="lattice">An acyclic recognition lattice whose output labels are classes.</param>
    /// <param name="constraints">The constraints.</param>
    public static ConstrainedLattice Apply(Graph lattice, OcrConstraints constraints)
    {
        ArgumentNullException.ThrowIfNull(lattice);
        ArgumentNullException.ThrowIfNull(constraints);
        var chain = new Graph[constraints.Graphs.Count + 1];
        chain[0] = lattice;
        for (var k = 0; k < constraints.Graphs.Count; k++)
        {
            chain[k + 1] = GraphOps.Compose(chain[k], constraints.Graphs[k]);
        }
        return new ConstrainedLattice(chain);
    }

    /// <summary>The arc of <see cref="Base"/> that arc <paramref name="arc"/> of <see cref="Graph"/> came from, or
    /// -1 for a move of a constraint alone (e.g. an LM back-off arc).</summary>
    public int BaseArc(int arc)
    {
        for (var k = _chain.Length - 1; k > 0 && arc >= 0; k--)
        {
            arc = _chain[k].Origin!.ArcSources[0][arc];
        }
        return arc;
    }

    /// <summary>The best path's base arcs (moves of constraints alone left out) and its score, or the reason
    /// there is none.</summary>
    public (IReadOnlyList<int> BaseArcs, double Score, string? NoPath) Best()
    {
        var result = GraphOps.Viterbi(Graph);
        if (!result.HasPath)
        {
            return ([], double.NegativeInfinity, result.NoPathReason);
        }
        return ([.. result.Path.Arcs.Select(BaseArc).Where(a => a >= 0)], result.Score, null);
    }

    /// <summary>The <paramref name="count"/> best distinct output strings (class sequences) and their scores.</summary>
    public IReadOnlyList<LabelString> NBest(int count) => NBestStrings.Run(Graph, count, ProjectSide.Output);
}
