namespace StreamSeq.Lattice;

/// <summary>
/// A graph whose arc weights are read from a score vector — the general bridge between a network's outputs and a
/// lattice when arcs are not one per matrix cell (e.g. an OCR segmentation lattice: arc = (segment, character),
/// score = the CNN's output for that pair, several arcs may share one score, some arcs have none). Each arc's
/// weight is its fixed base weight (as built: a transition or language-model score) plus
/// <c>scores[ScoreIndex[arc]]</c> when that index is ≥ 0. <see cref="SetScores(ReadOnlySpan{float})"/> loads a new
/// score vector in place (structure and cached adjacency stay), and <see cref="ScoreGradient"/> turns an arc
/// gradient of <see cref="Graph"/> into a gradient over the score vector.
/// </summary>
public sealed class ScoredGraph
{
    private readonly double[] _baseWeights;
    private readonly int[] _scoreIndex;

    /// <summary>Binds <paramref name="graph"/>'s arcs to a score vector; its current weights become the base
    /// weights.</summary>
    /// <param name="graph">The graph (typically built by hand; it is the leaf gradients flow back to).</param>
    /// <param name="scoreIndex">Per arc, the index into the score vector, or -1 for an arc with no score.</param>
    /// <param name="scoreCount">Length of the score vector.</param>
    public ScoredGraph(Graph graph, ReadOnlySpan<int> scoreIndex, int scoreCount)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfNegative(scoreCount);
        if (scoreIndex.Length != graph.ArcCount)
        {
            throw new ArgumentException($"The score index has {scoreIndex.Length} entries but the graph has {graph.ArcCount} arcs.", nameof(scoreIndex));
        }
        foreach (var index in scoreIndex)
        {
            if (index < -1 || index >= scoreCount)
            {
                throw new ArgumentOutOfRangeException(nameof(scoreIndex), index, $"Score indices are -1 or in [0, {scoreCount}).");
            }
        }
        Graph = graph;
        ScoreCount = scoreCount;
        _scoreIndex = scoreIndex.ToArray();
        _baseWeights = graph.Weights.ToArray();
    }

    /// <summary>The graph whose weights this object writes.</summary>
    public Graph Graph { get; }

    /// <summary>Length of the score vector.</summary>
    public int ScoreCount { get; }

    /// <summary>Per arc, its score's index (-1 for none).</summary>
    public ReadOnlySpan<int> ScoreIndex => _scoreIndex;

    /// <summary>Sets every arc weight to base + its score.</summary>
    /// <param name="scores">The score vector (e.g. a float32 tensor's buffer).</param>
    public void SetScores(ReadOnlySpan<float> scores)
    {
        CheckLength(scores.Length);
        var weights = Graph.Weights;
        for (var a = 0; a < weights.Length; a++)
        {
            var index = _scoreIndex[a];
            weights[a] = index >= 0 ? _baseWeights[a] + scores[index] : _baseWeights[a];
        }
    }

    /// <summary>Sets every arc weight to base + its score.</summary>
    /// <param name="scores">The score vector.</param>
    public void SetScores(ReadOnlySpan<double> scores)
    {
        CheckLength(scores.Length);
        var weights = Graph.Weights;
        for (var a = 0; a < weights.Length; a++)
        {
            var index = _scoreIndex[a];
            weights[a] = index >= 0 ? _baseWeights[a] + scores[index] : _baseWeights[a];
        }
    }

    /// <summary>d(·)/d(scores) from d(·)/d(arc weights of <see cref="Graph"/>): each arc's gradient added to its
    /// score's entry.</summary>
    /// <param name="arcGradient">One entry per arc of <see cref="Graph"/> (e.g. <c>GradientSet.Of(Graph)</c>).</param>
    /// <returns>A new array of <see cref="ScoreCount"/> entries.</returns>
    public double[] ScoreGradient(ReadOnlySpan<double> arcGradient)
    {
        if (arcGradient.Length != _scoreIndex.Length)
        {
            throw new ArgumentException($"The gradient has {arcGradient.Length} entries but the graph has {_scoreIndex.Length} arcs.", nameof(arcGradient));
        }
        var gradient = new double[ScoreCount];
        for (var a = 0; a < arcGradient.Length; a++)
        {
            var index = _scoreIndex[a];
            if (index >= 0)
            {
                gradient[index] += arcGradient[a];
            }
        }
        return gradient;
    }

    private void CheckLength(int length)
    {
        if (length != ScoreCount)
        {
            throw new ArgumentException($"Expected {ScoreCount} scores, got {length}.", "scores");
        }
        if (Graph.ArcCount != _scoreIndex.Length)
        {
            throw new InvalidOperationException($"The graph gained arcs after it was bound ({Graph.ArcCount} now, {_scoreIndex.Length} bound).");
        }
    }
}
