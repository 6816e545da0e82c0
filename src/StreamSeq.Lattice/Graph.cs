namespace StreamSeq.Lattice;

/// <summary>
/// A weighted finite-state transducer (an acceptor when every arc's input equals its output): states numbered
/// from 0, any number of start states, accepting states with a final weight, and arcs with input label, output
/// label and weight. Weights are log-scores: a path scores the sum of its arc weights plus the final weight of
/// the state it ends in, and higher is better (Viterbi takes the max, forward the log-sum-exp).
/// </summary>
/// <remarks>
/// <para>Storage is flat: arcs are <see cref="Arc"/> structs in one array, weights a parallel <c>double</c>
/// array (<see cref="Weights"/>, writable in place), and the per-state adjacency (out- and in-arcs) is built
/// lazily in compressed rows the first time an operation needs it and dropped when states or arcs are added.</para>
/// <para>The graph tracks whether each state's outgoing arcs, in the order they were added, have nondecreasing
/// input (<see cref="IsInputSorted"/>) or output labels (<see cref="IsOutputSorted"/>); composition uses binary
/// search instead of a scan when they do.</para>
/// <para>Graphs made by an operation remember it in <see cref="Origin"/>, which is what
/// <see cref="Gradients.Backward(Graph, ReadOnlySpan{double})"/> walks. A graph is not safe to mutate from
/// several threads; reading one from several threads is.</para>
/// </remarks>
public sealed class Graph
{
    /// <summary>The epsilon label: the arc reads (or writes) nothing.</summary>
    public const int Epsilon = -1;

    private int _stateCount;
    private double[] _final = [];
    private bool[] _isStart = [];
    private int[] _starts = [];
    private int _startCount;
    private int[] _lastInput = [];
    private int[] _lastOutput = [];

    private Arc[] _arcs = [];
    private double[] _weights = [];
    private int _arcCount;

    private bool _inputSorted = true;
    private bool _outputSorted = true;
    private bool _acceptor = true;
    private GraphIndex? _index;

    /// <summary>An empty graph (no states, so no path).</summary>
    public Graph()
    {
    }

    /// <summary>An empty graph with room for the given numbers of states and arcs.</summary>
    /// <param name="stateCapacity">States to reserve room for.</param>
    /// <param name="arcCapacity">Arcs to reserve room for.</param>
    public Graph(int stateCapacity, int arcCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stateCapacity);
        ArgumentOutOfRangeException.ThrowIfNegative(arcCapacity);
        GrowStates(stateCapacity);
        GrowArcs(arcCapacity);
    }

    /// <summary>A graph over arrays an operation built: takes ownership of <paramref name="arcs"/>,
    /// <paramref name="weights"/> (first <paramref name="arcCount"/> used) and <paramref name="final"/> (length
    /// = states), and derives the flags in one pass.</summary>
    internal static Graph FromArrays(double[] final, ReadOnlySpan<int> starts, Arc[] arcs, double[] weights, int arcCount)
    {
        var n = final.Length;
        var graph = new Graph
        {
            _stateCount = n,
            _final = final,
            _isStart = new bool[n],
            _lastInput = new int[n],
            _lastOutput = new int[n],
            _arcs = arcs,
            _weights = weights,
            _arcCount = arcCount,
        };
        Array.Fill(graph._lastInput, int.MinValue);
        Array.Fill(graph._lastOutput, int.MinValue);
        foreach (var s in starts)
        {
            graph.SetStart(s);
        }
        var lastInput = graph._lastInput;
        var lastOutput = graph._lastOutput;
        for (var a = 0; a < arcCount; a++)
        {
            ref readonly var arc = ref arcs[a];
            if (arc.Input < lastInput[arc.Source])
            {
                graph._inputSorted = false;
            }
            if (arc.Output < lastOutput[arc.Source])
            {
                graph._outputSorted = false;
            }
            lastInput[arc.Source] = arc.Input;
            lastOutput[arc.Source] = arc.Output;
            if (arc.Input != arc.Output)
            {
                graph._acceptor = false;
            }
        }
        return graph;
    }

    /// <summary>Number of states.</summary>
    public int StateCount => _stateCount;

    /// <summary>Number of arcs.</summary>
    public int ArcCount => _arcCount;

    /// <summary>All arcs, indexed by arc number (the index every gradient array uses).</summary>
    public ReadOnlySpan<Arc> Arcs => _arcs.AsSpan(0, _arcCount);

    /// <summary>Arc weights by arc number. Writable: overwriting weights keeps the structure (and any cached
    /// adjacency) valid, which is how new scores are loaded into an existing graph.</summary>
    public Span<double> Weights => _weights.AsSpan(0, _arcCount);

    /// <summary>Final weights by state: <see cref="double.NegativeInfinity"/> for a state that does not accept.</summary>
    public ReadOnlySpan<double> FinalWeights => _final.AsSpan(0, _stateCount);

    /// <summary>The start states, in the order they were marked.</summary>
    public ReadOnlySpan<int> StartStates => _starts.AsSpan(0, _startCount);

    /// <summary>True while every arc's input label equals its output label.</summary>
    public bool IsAcceptor => _acceptor;

    /// <summary>True while every state's outgoing arcs (in the order added) have nondecreasing input labels.</summary>
    public bool IsInputSorted => _inputSorted;

    /// <summary>True while every state's outgoing arcs (in the order added) have nondecreasing output labels.</summary>
    public bool IsOutputSorted => _outputSorted;

    /// <summary>The operation that made this graph and the arc maps to its inputs; null for a graph built by hand
    /// (a leaf of the gradient walk), after <see cref="Detach"/>, or for operations that are not differentiable
    /// arc by arc (epsilon removal).</summary>
    public GraphOrigin? Origin { get; internal set; }

    /// <summary>Whether the graph has no directed cycle (computed once per structure, then cached).</summary>
    public bool IsAcyclic => Index.CycleState < 0;

    /// <summary>Adds a state and returns its number.</summary>
    /// <param name="start">Also make it a start state.</param>
    /// <param name="accept">Also make it accepting with final weight 0.</param>
    /// <returns>The new state's number.</returns>
    public int AddState(bool start = false, bool accept = false)
    {
        if (_stateCount == _final.Length)
        {
            GrowStates(Math.Max(8, _stateCount * 2));
        }
        var state = _stateCount++;
        _final[state] = accept ? 0.0 : double.NegativeInfinity;
        _isStart[state] = false;
        _lastInput[state] = int.MinValue;
        _lastOutput[state] = int.MinValue;
        _index = null;
        if (start)
        {
            SetStart(state);
        }
        return state;
    }

    /// <summary>Adds <paramref name="count"/> plain states and returns the number of the first.</summary>
    /// <param name="count">How many states to add.</param>
    /// <returns>The first new state's number (the others follow it).</returns>
    public int AddStates(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_stateCount + count > _final.Length)
        {
            GrowStates(Math.Max(_stateCount + count, _stateCount * 2));
        }
        var first = _stateCount;
        for (var i = 0; i < count; i++)
        {
            _final[first + i] = double.NegativeInfinity;
            _isStart[first + i] = false;
            _lastInput[first + i] = int.MinValue;
            _lastOutput[first + i] = int.MinValue;
        }
        _stateCount += count;
        _index = null;
        return first;
    }

    /// <summary>Marks a state as a start state (idempotent).</summary>
    /// <param name="state">The state.</param>
    public void SetStart(int state)
    {
        CheckState(state);
        if (_isStart[state])
        {
            return;
        }
        _isStart[state] = true;
        if (_startCount == _starts.Length)
        {
            Array.Resize(ref _starts, Math.Max(4, _startCount * 2));
        }
        _starts[_startCount++] = state;
    }

    /// <summary>Makes a state accepting with the given final weight, or non-accepting with
    /// <see cref="double.NegativeInfinity"/>.</summary>
    /// <param name="state">The state.</param>
    /// <param name="weight">Final weight (log-score added to paths ending here).</param>
    public void SetFinal(int state, double weight = 0.0)
    {
        CheckState(state);
        if (double.IsNaN(weight) || double.IsPositiveInfinity(weight))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "A final weight is finite, or -infinity for a non-accepting state.");
        }
        _final[state] = weight;
    }

    /// <summary>Whether <paramref name="state"/> is a start state.</summary>
    /// <param name="state">The state.</param>
    /// <returns>True for a start state.</returns>
    public bool IsStart(int state)
    {
        CheckState(state);
        return _isStart[state];
    }

    /// <summary>Whether <paramref name="state"/> accepts (has a final weight above -infinity).</summary>
    /// <param name="state">The state.</param>
    /// <returns>True for an accepting state.</returns>
    public bool IsAccept(int state)
    {
        CheckState(state);
        return _final[state] > double.NegativeInfinity;
    }

    /// <summary>Adds an acceptor arc (input and output both <paramref name="label"/>).</summary>
    /// <param name="source">State the arc leaves.</param>
    /// <param name="target">State the arc enters.</param>
    /// <param name="label">Label, or <see cref="Epsilon"/>.</param>
    /// <param name="weight">Log-score.</param>
    /// <returns>The new arc's number.</returns>
    public int AddArc(int source, int target, int label, double weight = 0.0) => AddArc(source, target, label, label, weight);

    /// <summary>Adds a transducer arc.</summary>
    /// <param name="source">State the arc leaves.</param>
    /// <param name="target">State the arc enters.</param>
    /// <param name="input">Input label, or <see cref="Epsilon"/>.</param>
    /// <param name="output">Output label, or <see cref="Epsilon"/>.</param>
    /// <param name="weight">Log-score; -infinity is allowed (an arc no path can use), NaN and +infinity are not.</param>
    /// <returns>The new arc's number.</returns>
    public int AddArc(int source, int target, int input, int output, double weight = 0.0)
    {
        CheckState(source);
        CheckState(target);
        if (input < Epsilon || output < Epsilon)
        {
            throw new ArgumentOutOfRangeException(input < Epsilon ? nameof(input) : nameof(output), "Labels are >= 0, or Graph.Epsilon (-1).");
        }
        if (double.IsNaN(weight) || double.IsPositiveInfinity(weight))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "An arc weight is finite or -infinity.");
        }
        return AddArcUnchecked(source, target, input, output, weight);
    }

    /// <summary>AddArc without argument checks, for operations whose arcs come from valid graphs.</summary>
    internal int AddArcUnchecked(int source, int target, int input, int output, double weight)
    {
        if (_arcCount == _arcs.Length)
        {
            GrowArcs(Math.Max(16, _arcCount * 2));
        }
        var index = _arcCount++;
        _arcs[index] = new Arc(source, target, input, output);
        _weights[index] = weight;
        if (input < _lastInput[source])
        {
            _inputSorted = false;
        }
        if (output < _lastOutput[source])
        {
            _outputSorted = false;
        }
        _lastInput[source] = input;
        _lastOutput[source] = output;
        if (input != output)
        {
            _acceptor = false;
        }
        _index = null;
        return index;
    }

    /// <summary>Forgets <see cref="Origin"/>, so that the inputs this graph was made from can be collected and
    /// <see cref="Gradients.Backward(Graph, ReadOnlySpan{double})"/> treats it as a leaf.</summary>
    public void Detach() => Origin = null;

    /// <summary>Arc numbers leaving <paramref name="state"/>, in the order the arcs were added.</summary>
    /// <param name="state">The state.</param>
    /// <returns>A view valid until the graph's structure changes.</returns>
    public ReadOnlySpan<int> OutArcs(int state)
    {
        CheckState(state);
        var index = Index;
        return index.OutArcs.AsSpan(index.OutOffsets[state], index.OutOffsets[state + 1] - index.OutOffsets[state]);
    }

    /// <summary>Arc numbers entering <paramref name="state"/>, in the order the arcs were added.</summary>
    /// <param name="state">The state.</param>
    /// <returns>A view valid until the graph's structure changes.</returns>
    public ReadOnlySpan<int> InArcs(int state)
    {
        CheckState(state);
        var index = Index;
        return index.InArcs.AsSpan(index.InOffsets[state], index.InOffsets[state + 1] - index.InOffsets[state]);
    }

    /// <summary>The states in an order where every arc goes forward.</summary>
    /// <param name="operation">Named in the exception when the graph has a cycle.</param>
    /// <returns>A cached array; do not modify it.</returns>
    /// <exception cref="GraphCycleException">The graph has a cycle.</exception>
    internal int[] TopologicalOrder(string operation)
    {
        var index = Index;
        if (index.CycleState >= 0)
        {
            throw new GraphCycleException(operation, index.CycleState);
        }
        return index.Topological!;
    }

    internal GraphIndex Index => _index ??= GraphIndex.Build(this);

    internal Arc[] ArcArray => _arcs;

    internal double[] WeightArray => _weights;

    internal double[] FinalArray => _final;

    internal bool[] StartFlags => _isStart;

    internal void CheckState(int state)
    {
        if ((uint)state >= (uint)_stateCount)
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, $"The graph has {_stateCount} states.");
        }
    }

    private void GrowStates(int capacity)
    {
        if (capacity <= _final.Length)
        {
            return;
        }
        Array.Resize(ref _final, capacity);
        Array.Resize(ref _isStart, capacity);
        Array.Resize(ref _lastInput, capacity);
        Array.Resize(ref _lastOutput, capacity);
    }

    private void GrowArcs(int capacity)
    {
        if (capacity <= _arcs.Length)
        {
            return;
        }
        Array.Resize(ref _arcs, capacity);
        Array.Resize(ref _weights, capacity);
    }

    /// <summary>A short description: states, arcs, kind.</summary>
    /// <returns>For example "Graph(3 states, 4 arcs, acceptor)".</returns>
    public override string ToString() =>
        $"Graph({_stateCount} states, {_arcCount} arcs, {(_acceptor ? "acceptor" : "transducer")}{(Origin is null ? "" : ", from " + Origin.Operation)})";
}
