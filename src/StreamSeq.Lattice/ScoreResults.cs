namespace StreamSeq.Lattice;

/// <summary>
/// The forward score of a graph in the log semiring (log-sum-exp over every accepting path) and, when asked for,
/// its gradient: d(score)/d(arc weight a) = the posterior probability that a path uses arc a.
/// </summary>
public sealed class ForwardResult
{
    internal ForwardResult(double score, double[]? arcPosteriors, string? noPathReason)
    {
        Score = score;
        ArcPosteriors = arcPosteriors;
        NoPathReason = noPathReason;
    }

    /// <summary>log Σ over accepting paths of exp(path score); -infinity when there is no path.</summary>
    public double Score { get; }

    /// <summary>Whether some accepting path has a score above -infinity.</summary>
    public bool HasPath => NoPathReason is null;

    /// <summary>Why there is no path (no start state, no accepting state, none reachable), or null.</summary>
    public string? NoPathReason { get; }

    /// <summary>d(<see cref="Score"/>)/d(weight of arc a), indexed by arc number (all zero without a path); null
    /// unless the gradient was asked for.</summary>
    public double[]? ArcPosteriors { get; }
}

/// <summary>
/// The Viterbi (max) score of a graph, its best path, and the gradient of the score: d(score)/d(arc weight) is 1
/// on the arcs of the best path and 0 elsewhere (ties go to the arc added first).
/// </summary>
public sealed class ViterbiResult
{
    private readonly int _arcCount;

    internal ViterbiResult(LatticePath path, int arcCount, string? noPathReason)
    {
        Path = path;
        _arcCount = arcCount;
        NoPathReason = noPathReason;
    }

    /// <summary>The best path's score; -infinity when there is no path.</summary>
    public double Score => Path.Score;

    /// <summary>The best path (<see cref="LatticePath.None"/> when there is none).</summary>
    public LatticePath Path { get; }

    /// <summary>Whether an accepting path exists.</summary>
    public bool HasPath => NoPathReason is null;

    /// <summary>Why there is no path, or null.</summary>
    public string? NoPathReason { get; }

    /// <summary>d(<see cref="Score"/>)/d(weight of arc a): 1 for the arcs of the best path, else 0.</summary>
    /// <returns>A new array, one entry per arc of the scored graph.</returns>
    public double[] ArcGradient()
    {
        var gradient = new double[_arcCount];
        foreach (var arc in Path.Arcs)
        {
            gradient[arc] += 1.0;
        }
        return gradient;
    }
}
