using StreamSeq.Lattice;

namespace StreamSeq.Text.LanguageModels;

/// <summary>How <see cref="NGramAcceptor"/> represents back-off.</summary>
public enum BackoffArcs
{
    /// <summary><see cref="Exact"/> while the expanded graph stays under the arc limit, else <see cref="Epsilon"/>.</summary>
    Auto,

    /// <summary>Every reachable context has one arc per symbol, weighted by the model's exact (backed-off)
    /// probability: a string's only path scores exactly the model's log-probability. Contexts × symbols arcs.</summary>
    Exact,

    /// <summary>Arcs only for stored n-grams, plus one epsilon arc per context to its back-off context weighted by
    /// the back-off weight (the usual compact WFST form). An approximation: epsilon arcs are not failure arcs, so a
    /// path may back off even where the longer n-gram is stored; a string's best path scores at least its exact
    /// log-probability (Viterbi can only over-estimate), and the log-semiring sum over paths is not a
    /// probability.</summary>
    Epsilon,
}

/// <summary>
/// A back-off n-gram model (<see cref="NGramModel"/>) as a weighted acceptor over a recogniser's labels, to
/// compose with a recognition lattice: states are LM contexts (starting after &lt;s&gt;), an arc reading label l
/// weighs <c>scale · ln P(token(l) | context)</c>, and every state's final weight is
/// <c>scale · ln P(&lt;/s&gt; | context)</c>. The graph has cycles (it accepts every string); compose it with an
/// acyclic lattice before scoring.
/// </summary>
public static class NGramAcceptor
{
    /// <summary>The default limit on arcs of an exact expansion (<see cref="BackoffArcs.Auto"/> switches to
    /// epsilon back-off above it).</summary>
    public const int DefaultMaxArcs = 2_000_000;

    /// <summary>Builds the acceptor.</summary>
    /// <param name="model">The language model.</param>
    /// <param name="symbols">Each label and the model token it reads (a token the model lacks scores as
    /// &lt;unk&gt;). Several labels may share a token.</param>
    /// <param name="scale">The LM weight multiplying every log-probability (≥ 0).</param>
    /// <param name="backoff">How back-off is represented.</param>
    /// <param name="maxArcs">The largest exact expansion (<see cref="BackoffArcs.Exact"/> throws above it,
    /// <see cref="BackoffArcs.Auto"/> switches to epsilon arcs).</param>
    /// <returns>The acceptor, arcs input-sorted per state (epsilon first).</returns>
    /// <exception cref="InvalidOperationException">An exact expansion would exceed <paramref name="maxArcs"/>.</exception>
    public static Graph Build(NGramModel model, IReadOnlyList<(int Label, string Token)> symbols, double scale = 1.0, BackoffArcs backoff = BackoffArcs.Auto, int maxArcs = DefaultMaxArcs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(symbols);
        if (!(scale >= 0) || double.IsInfinity(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The LM weight is finite and >= 0.");
        }
        var sorted = symbols.OrderBy(s => s.Label).Select(s => (s.Label, Id: model.IdOf(s.Token))).ToArray();
        foreach (var (label, _) in sorted)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(label, nameof(symbols));
        }
        if (backoff == BackoffArcs.Auto)
        {
            var contexts = (long)model.ContextStates().Count();
            backoff = contexts * Math.Max(1, sorted.Length) <= maxArcs ? BackoffArcs.Exact : BackoffArcs.Epsilon;
        }
        return backoff == BackoffArcs.Exact ? Exact(model, sorted, scale, maxArcs) : WithEpsilons(model, sorted, scale);
    }

    /// <summary>The model tokens of a recogniser's characters: a space is <see cref="LmTokens.Space"/>; a
    /// character the model lacks is read as its lower case when the model has that (models trained on
    /// lower-cased text), else as itself (so it scores as &lt;unk&gt;).</summary>
    /// <param name="model">The character language model.</param>
    /// <param name="characters">The characters, in label order.</param>
    /// <param name="firstLabel">The label of the first character (1 when label 0 is a CTC blank).</param>
    /// <returns>(label, token) pairs for <see cref="Build"/>.</returns>
    public static IReadOnlyList<(int Label, string Token)> CharacterSymbols(NGramModel model, string characters, int firstLabel = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(characters);
        var symbols = new List<(int, string)>(characters.Length);
        for (var i = 0; i < characters.Length; i++)
        {
            var c = characters[i];
            var token = char.IsWhiteSpace(c) ? LmTokens.Space : c.ToString();
            if (!model.Contains(token) && model.Contains(char.ToLowerInvariant(c).ToString()))
            {
                token = char.ToLowerInvariant(c).ToString();
            }
            symbols.Add((firstLabel + i, token));
        }
        return symbols;
    }

    private static Graph Exact(NGramModel model, (int Label, int Id)[] symbols, double scale, int maxArcs)
    {
        var graph = new Graph();
        var states = new Dictionary<int, int>();
        var queue = new Queue<LmState>();
        int StateOf(LmState context)
        {
            if (!states.TryGetValue(context.Node, out var state))
            {
                state = graph.AddState();
                states[context.Node] = state;
                queue.Enqueue(context);
            }
            return state;
        }
        graph.SetStart(StateOf(model.BeginState));
        while (queue.Count > 0)
        {
            var context = queue.Dequeue();
            var source = states[context.Node];
            graph.SetFinal(source, scale * model.Score(context, model.EndId).LogProb);
            foreach (var (label, id) in symbols)
            {
                var (logProb, next) = model.Score(context, id);
                graph.AddArc(source, StateOf(next), label, scale * logProb);
                if (graph.ArcCount > maxArcs)
                {
                    throw new InvalidOperationException($"the exact expansion of the {model.Order}-gram model exceeds {maxArcs} arcs (contexts × {symbols.Length} symbols); use epsilon back-off arcs");
                }
            }
        }
        return graph;
    }

    private static Graph WithEpsilons(NGramModel model, (int Label, int Id)[] symbols, double scale)
    {
        // Children of every node, and the labels of every model id.
        var children = new List<int>[model.NodeCount];
        for (var e = 1; e < model.NodeCount; e++)
        {
            (children[model.ParentOf(e)] ??= []).Add(e);
        }
        var labelsOf = new Dictionary<int, List<int>>();
        foreach (var (label, id) in symbols)
        {
            if (!labelsOf.TryGetValue(id, out var list))
            {
                labelsOf[id] = list = [];
            }
            list.Add(label);
        }
        var graph = new Graph();
        var states = new Dictionary<int, int>();
        var queue = new Queue<LmState>();
        int StateOf(LmState context)
        {
            if (!states.TryGetValue(context.Node, out var state))
            {
                state = graph.AddState();
                states[context.Node] = state;
                queue.Enqueue(context);
            }
            return state;
        }
        graph.SetStart(StateOf(model.BeginState));
        var arcs = new List<(int Label, int Target, double Weight)>();
        while (queue.Count > 0)
        {
            var context = queue.Dequeue();
            var source = states[context.Node];
            graph.SetFinal(source, scale * model.Score(context, model.EndId).LogProb);
            arcs.Clear();
            if (context.Node == 0)
            {
                // The empty context: every symbol, scored exactly (a unigram or <unk>).
                foreach (var (label, id) in symbols)
                {
                    var (logProb, next) = model.Score(context, id);
                    arcs.Add((label, StateOf(next), scale * logProb));
                }
            }
            else
            {
                graph.AddArc(source, StateOf(model.SuffixOf(context)), Graph.Epsilon, scale * model.LogBackoffOf(context.Node));
                foreach (var entry in children[context.Node] ?? [])
                {
                    if (labelsOf.TryGetValue(model.WordOf(entry), out var labels))
                    {
                        var target = StateOf(model.NextState(entry));
                        foreach (var label in labels)
                        {
                            arcs.Add((label, target, scale * model.LogProbOf(entry)));
                        }
                    }
                }
            }
            arcs.Sort((a, b) => a.Label.CompareTo(b.Label));
            foreach (var (label, target, weight) in arcs)
            {
                graph.AddArc(source, target, label, weight);
            }
        }
        return graph;
    }
}
