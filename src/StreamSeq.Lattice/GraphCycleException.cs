namespace StreamSeq.Lattice;

/// <summary>
/// An operation that needs an acyclic graph (forward, Viterbi, n-best, topological sort, epsilon removal over an
/// epsilon cycle) was given a graph with a cycle. The message names the operation and a state on the cycle.
/// </summary>
public sealed class GraphCycleException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operation">The operation that needed a DAG, e.g. "forward score".</param>
    /// <param name="state">A state that lies on a cycle.</param>
    /// <param name="what">What must be acyclic: "graph" or, for epsilon removal, "epsilon subgraph".</param>
    public GraphCycleException(string operation, int state, string what = "graph")
        : base($"Lattice operation '{operation}' needs an acyclic {what}, but state {state} lies on a cycle.")
    {
        Operation = operation;
        State = state;
    }

    /// <summary>The operation that needed a DAG.</summary>
    public string Operation { get; }

    /// <summary>A state on the cycle.</summary>
    public int State { get; }
}
