namespace StreamSeq.Lattice;

/// <summary>One path through a graph: its arcs in order, the non-epsilon input and output labels along it, and its
/// score (arc weights plus the final weight of the state it ends in).</summary>
public sealed class LatticePath
{
    internal LatticePath(double score, int[] arcs, int[] input, int[] output)
    {
        Score = score;
        Arcs = arcs;
        Input = input;
        Output = output;
    }

    /// <summary>Path score (log-score; -infinity for <see cref="None"/>).</summary>
    public double Score { get; }

    /// <summary>Arc numbers along the path, first to last.</summary>
    public IReadOnlyList<int> Arcs { get; }

    /// <summary>Input labels along the path, epsilons left out.</summary>
    public IReadOnlyList<int> Input { get; }

    /// <summary>Output labels along the path, epsilons left out.</summary>
    public IReadOnlyList<int> Output { get; }

    /// <summary>The empty result of a graph with no accepting path: score -infinity, no arcs.</summary>
    public static LatticePath None { get; } = new(double.NegativeInfinity, [], [], []);

    internal static LatticePath FromArcs(Graph graph, int[] arcs, double score)
    {
        var all = graph.ArcArray;
        var inputs = 0;
        var outputs = 0;
        foreach (var a in arcs)
        {
            if (all[a].Input != Graph.Epsilon)
            {
                inputs++;
            }
            if (all[a].Output != Graph.Epsilon)
            {
                outputs++;
            }
        }
        var input = new int[inputs];
        var output = new int[outputs];
        inputs = 0;
        outputs = 0;
        foreach (var a in arcs)
        {
            if (all[a].Input != Graph.Epsilon)
            {
                input[inputs++] = all[a].Input;
            }
            if (all[a].Output != Graph.Epsilon)
            {
                output[outputs++] = all[a].Output;
            }
        }
        return new LatticePath(score, arcs, input, output);
    }

    /// <summary>Score, labels and arcs, for logs and test failures.</summary>
    /// <returns>For example "-3.2 [1 2] -> [5] (arcs 0 4)".</returns>
    public override string ToString() =>
        $"{Score:G6} [{string.Join(' ', Input)}] -> [{string.Join(' ', Output)}] (arcs {string.Join(' ', Arcs)})";
}
