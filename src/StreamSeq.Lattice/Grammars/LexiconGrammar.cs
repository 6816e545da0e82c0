namespace StreamSeq.Lattice;

/// <summary>
/// A word-list (lexicon) acceptor: a trie of the words' label sequences whose word ends accept and, when a
/// separator label is given, loop back to the root through one separator arc, so it accepts one or more words
/// of the list separated by single separators (the closure of the word list over the separator).
/// </summary>
/// <remarks>The trie is deterministic (one arc per label and state, arcs input-sorted, weights 0), so composing a
/// lattice with it stays small: a lattice state pairs with at most one trie node per character prefix.</remarks>
public static class LexiconGrammar
{
    /// <summary>Builds the acceptor.</summary>
    /// <param name="words">The words as label sequences (empty ones are skipped; duplicates are harmless).</param>
    /// <param name="separator">The label between words (e.g. the space's), or <see cref="Graph.Epsilon"/> to accept
    /// exactly one word.</param>
    /// <returns>The acceptor; it accepts nothing when <paramref name="words"/> has no non-empty word.</returns>
    /// <exception cref="ArgumentException">A word holds a negative label or the separator.</exception>
    public static Graph Build(IEnumerable<IReadOnlyList<int>> words, int separator = Graph.Epsilon)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentOutOfRangeException.ThrowIfLessThan(separator, Graph.Epsilon);
        var children = new List<SortedDictionary<int, int>> { new() };
        var accepting = new List<bool> { false };
        foreach (var word in words)
        {
            if (word.Count == 0)
            {
                continue;
            }
            var node = 0;
            foreach (var label in word)
            {
                if (label < 0 || label == separator)
                {
                    throw new ArgumentException($"a word holds the label {label}, which is {(label < 0 ? "negative" : "the separator")}", nameof(words));
                }
                if (!children[node].TryGetValue(label, out var next))
                {
                    next = children.Count;
                    children.Add(new SortedDictionary<int, int>());
                    accepting.Add(false);
                    children[node][label] = next;
                }
                node = next;
            }
            accepting[node] = true;
        }
        var graph = new Graph(children.Count, children.Count * 2);
        graph.AddStates(children.Count);
        graph.SetStart(0);
        for (var node = 0; node < children.Count; node++)
        {
            if (accepting[node])
            {
                graph.SetFinal(node);
                if (separator >= 0)
                {
                    children[node][separator] = 0;
                }
            }
            foreach (var (label, next) in children[node])
            {
                graph.AddArc(node, next, label);
            }
        }
        return graph;
    }
}
