namespace StreamSeq.Lattice;

/// <summary>
/// The lattice operations. Scores: <see cref="Forward"/> (log semiring) and <see cref="Viterbi"/> (tropical), each
/// with its gradient by arc; <see cref="NBest"/>. Graph algebra: <see cref="Compose"/>, <see cref="Intersect"/>,
/// <see cref="Union"/>, <see cref="Concat"/>, <see cref="Closure"/>, <see cref="RemoveEpsilon"/>,
/// <see cref="Project"/>, <see cref="TopologicalSort"/>, <see cref="Connect"/>, <see cref="ArcSort"/>.
/// Every graph-producing operation except epsilon removal records its <see cref="Graph.Origin"/>, so
/// <see cref="Gradients.Backward"/> can take a score's gradient back to the graphs it was built from.
/// </summary>
/// <remarks>
/// Operations that need a DAG (forward, Viterbi, n-best, topological sort) throw <see cref="GraphCycleException"/>
/// naming the operation. A graph with no accepting path is not an error: scores are -infinity, the path is
/// <see cref="LatticePath.None"/> and the result's <c>NoPathReason</c> says why.
/// </remarks>
public static class GraphOps
{
    /// <summary>The forward score: log Σ exp(path score) over all accepting paths.</summary>
    /// <param name="graph">An acyclic graph.</param>
    /// <returns>The score; -infinity when there is no accepting path.</returns>
    /// <exception cref="GraphCycleException">The graph has a cycle.</exception>
    public static double ForwardScore(Graph graph) => Forward(graph, gradient: false).Score;

    /// <summary>The forward score and, when <paramref name="gradient"/>, the arc posteriors (its gradient).</summary>
    /// <param name="graph">An acyclic graph.</param>
    /// <param name="gradient">Also run the backward pass and fill <see cref="ForwardResult.ArcPosteriors"/>.</param>
    /// <returns>Score, posteriors, and a reason when there is no path.</returns>
    /// <exception cref="GraphCycleException">The graph has a cycle.</exception>
    public static ForwardResult Forward(Graph graph, bool gradient = true)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return Lattice.ForwardScore.Run(graph, gradient);
    }

    /// <summary>The Viterbi score: the best accepting path's score.</summary>
    /// <param name="graph">An acyclic graph.</param>
    /// <returns>The score; -infinity when there is no accepting path.</returns>
    /// <exception cref="GraphCycleException">The graph has a cycle.</exception>
    public static double ViterbiScore(Graph graph) => Viterbi(graph).Score;

    /// <summary>The best accepting path, its score and (through <see cref="ViterbiResult.ArcGradient"/>) the
    /// gradient of the score.</summary>
    /// <param name="graph">An acyclic graph.</param>
    /// <returns>The result; <see cref="ViterbiResult.HasPath"/> false with a reason when there is no path.</returns>
    /// <exception cref="GraphCycleException">The graph has a cycle.</exception>
    public static ViterbiResult Viterbi(Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return Lattice.ViterbiScore.Run(graph);
    }

    /// <summary>The <paramref name="count"/> best accepting paths, best first (fewer when the graph has fewer).</summary>
    /// <param name="graph">An acyclic graph.</param>
    /// <param name="count">How many paths, ≥ 0.</param>
    /// <returns>The paths; empty when there is no accepting path.</returns>
    /// <exception cref="GraphCycleException">The graph has a cycle.</exception>
    public static IReadOnlyList<LatticePath> NBest(Graph graph, int count)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return NBestPaths.Run(graph, count);
    }

    /// <summary>Composition: pairs every path of <paramref name="first"/> with every path of
    /// <paramref name="second"/> whose input string equals its output string (epsilons aside); the result reads
    /// the first's input, writes the second's output and scores the sum. Faster when <paramref name="second"/> is
    /// input-sorted or <paramref name="first"/> output-sorted (see <see cref="ArcSort"/>).</summary>
    /// <param name="first">The first transducer.</param>
    /// <param name="second">The second transducer.</param>
    /// <returns>The trimmed composition, its origin mapping each arc to one arc of each input (-1 for an epsilon
    /// move of the other side).</returns>
    public static Graph Compose(Graph first, Graph second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return Lattice.Compose.Run(first, second, "compose");
    }

    /// <summary>Intersection of two acceptors: the strings both accept, each scored by the sum (composition of
    /// acceptors).</summary>
    /// <param name="first">An acceptor.</param>
    /// <param name="second">An acceptor.</param>
    /// <returns>The trimmed intersection.</returns>
    /// <exception cref="ArgumentException">Either graph is a transducer (use <see cref="Compose"/>).</exception>
    public static Graph Intersect(Graph first, Graph second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (!first.IsAcceptor || !second.IsAcceptor)
        {
            throw new ArgumentException("Intersect takes acceptors (every arc's input equals its output); use Compose for transducers.", first.IsAcceptor ? nameof(second) : nameof(first));
        }
        return Lattice.Compose.Run(first, second, "intersect");
    }

    /// <summary>Union: the disjoint sum of the graphs (their start and accepting states kept).</summary>
    /// <param name="graphs">The graphs.</param>
    /// <returns>A graph with every path of every input.</returns>
    public static Graph Union(params Graph[] graphs)
    {
        CheckAll(graphs);
        return Rational.Union(graphs);
    }

    /// <summary>Concatenation: a path of each graph in order, linked by epsilon arcs from each accepting state
    /// (weighted by its final weight) to the next graph's start states.</summary>
    /// <param name="graphs">The graphs; none gives the graph accepting only the empty string.</param>
    /// <returns>The concatenation.</returns>
    public static Graph Concat(params Graph[] graphs)
    {
        CheckAll(graphs);
        return Rational.Concat(graphs);
    }

    /// <summary>Kleene closure: zero or more paths of the graph in sequence. The result has cycles.</summary>
    /// <param name="graph">The graph.</param>
    /// <returns>A new start state (accepting, weight 0) with epsilon arcs to the old starts, and epsilon arcs
    /// from each accepting state (weighted by its final weight) back to them.</returns>
    public static Graph Closure(Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return Rational.Closure(graph);
    }

    /// <summary>Removes epsilon arcs (input and output both epsilon), keeping every string's score in the chosen
    /// semiring. Not differentiable by arc (the result has no origin).</summary>
    /// <param name="graph">A graph whose epsilon arcs form no cycle (other cycles are fine).</param>
    /// <param name="semiring">Log keeps forward scores, Tropical keeps Viterbi scores.</param>
    /// <returns>An epsilon-free, trimmed graph.</returns>
    /// <exception cref="GraphCycleException">The epsilon arcs form a cycle.</exception>
    public static Graph RemoveEpsilon(Graph graph, Semiring semiring = Semiring.Log)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return EpsilonRemoval.Run(graph, semiring);
    }

    /// <summary>Projection: the acceptor of the input (or output) labels.</summary>
    /// <param name="graph">The transducer.</param>
    /// <param name="side">Which label to keep on both sides.</param>
    /// <returns>The acceptor, arc for arc.</returns>
    public static Graph Project(Graph graph, ProjectSide side = ProjectSide.Input)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return Structure.Project(graph, side);
    }

    /// <summary>Renumbers states so every arc goes from a lower to a higher state.</summary>
    /// <param name="graph">An acyclic graph.</param>
    /// <returns>The renumbered graph, arcs grouped by source state.</returns>
    /// <exception cref="GraphCycleException">The graph has a cycle.</exception>
    public static Graph TopologicalSort(Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return Structure.TopologicalSort(graph);
    }

    /// <summary>Connect (trim): keeps only states on some path from a start to an accepting state.</summary>
    /// <param name="graph">The graph (cycles allowed).</param>
    /// <returns>The trimmed graph, states renumbered in their old order.</returns>
    public static Graph Connect(Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return Structure.Connect(graph);
    }

    /// <summary>Reorders each state's outgoing arcs by input (or output) label, stably, so composition can
    /// binary-search them.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="side">The label to sort by.</param>
    /// <returns>The sorted graph (same states).</returns>
    public static Graph ArcSort(Graph graph, ProjectSide side = ProjectSide.Input)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return Structure.ArcSort(graph, side);
    }

    private static void CheckAll(Graph[] graphs)
    {
        ArgumentNullException.ThrowIfNull(graphs);
        foreach (var g in graphs)
        {
            ArgumentNullException.ThrowIfNull(g, nameof(graphs));
        }
    }
}
