namespace StreamSeq.Text.LanguageModels;

/// <summary>
/// A back-off n-gram language model in ARPA form: every stored n-gram has a log-probability and (when it is
/// a context) a back-off weight; an n-gram that is not stored is scored by backing off to the shorter
/// context, times the longer context's back-off weight. A model trained with interpolated Kneser-Ney
/// (<see cref="KneserNeyTrainer"/>) is stored exactly in this form, and ARPA files (KenLM, SRILM) load into
/// it (<see cref="ArpaFormat"/>).
/// </summary>
/// <remarks>
/// For beam search: <see cref="BeginState"/> is the context after &lt;s&gt;; <see cref="Score(LmState, int)"/> gives the
/// natural-log probability of the next token and the new state; end a hypothesis with
/// <see cref="Score(LmState, int)"/>(state, <see cref="EndId"/>). Token ids are the model's own (<see cref="IdOf"/>); a
/// decoder maps its tokenizer's strings to them once. Thread-safe for reading.
/// </remarks>
public sealed class NGramModel
{
    /// <summary>log10 probability ARPA files use for "never" (the &lt;s&gt; unigram).</summary>
    public const double NeverLog10 = -99;

    private readonly string[] _words;
    private readonly Dictionary<string, int> _ids;
    private readonly List<int> _word = [];
    private readonly List<int> _parent = [];
    private readonly List<int> _order = [];
    private readonly List<double> _logProb = [];   // log10
    private readonly List<double> _backoff = [];   // log10
    private readonly List<int> _suffix = [];
    private readonly Dictionary<long, int> _children = [];
    private int[] _counts = [];

    /// <summary>Starts an empty model over a vocabulary; n-grams are added in order of length.</summary>
    internal NGramModel(IReadOnlyList<string> words, int order, string bos = "<s>", string eos = "</s>", string unk = "<unk>")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        Order = order;
        Bos = bos;
        Eos = eos;
        Unk = unk;
        var list = words.ToList();
        foreach (var special in (string[])[unk, bos, eos])
        {
            if (!list.Contains(special))
            {
                list.Add(special);
            }
        }
        _words = [.. list];
        _ids = new Dictionary<string, int>(_words.Length, StringComparer.Ordinal);
        for (var i = 0; i < _words.Length; i++)
        {
            if (!_ids.TryAdd(_words[i], i))
            {
                throw new ArgumentException($"word '{_words[i]}' twice in the vocabulary", nameof(words));
            }
        }
        // Node 0: the empty context.
        _word.Add(-1);
        _parent.Add(-1);
        _order.Add(0);
        _logProb.Add(0);
        _backoff.Add(0);
        _suffix.Add(-1);
    }

    /// <summary>The longest n-gram length.</summary>
    public int Order { get; }

    /// <summary>The sentence-start token.</summary>
    public string Bos { get; }

    /// <summary>The sentence-end token.</summary>
    public string Eos { get; }

    /// <summary>The unknown-word token.</summary>
    public string Unk { get; }

    /// <summary>Words by id.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>The id of &lt;s&gt;.</summary>
    public int BosId => _ids[Bos];

    /// <summary>The id of &lt;/s&gt;.</summary>
    public int EndId => _ids[Eos];

    /// <summary>The id of &lt;unk&gt;.</summary>
    public int UnkId => _ids[Unk];

    /// <summary>Number of stored n-grams of each length (index 0 = unigrams).</summary>
    public IReadOnlyList<int> NGramCounts => _counts;

    /// <summary>The id of a word; &lt;unk&gt;'s for words outside the vocabulary.</summary>
    public int IdOf(string word) => _ids.TryGetValue(word, out var id) ? id : UnkId;

    /// <summary>Whether a word is in the vocabulary.</summary>
    public bool Contains(string word) => _ids.ContainsKey(word);

    /// <summary>The context after the sentence start.</summary>
    public LmState BeginState => Order == 1 ? LmState.Empty : new LmState(Child(0, BosId));

    /// <summary>
    /// The natural-log probability of <paramref name="word"/> after <paramref name="state"/>, and the state
    /// after it. Ids outside the vocabulary score as &lt;unk&gt;.
    /// </summary>
    public (double LogProb, LmState Next) Score(LmState state, int word)
    {
        if ((uint)word >= (uint)_words.Length)
        {
            word = UnkId;
        }
        var node = state.Node;
        var backoff = 0.0;
        while (true)
        {
            if (_children.TryGetValue(Key(node, word), out var entry))
            {
                return ((backoff + _logProb[entry]) * Math.Log(10), NextState(entry));
            }
            if (node == 0)
            {
                // Only a word without a unigram gets here (an imported model without <unk>).
                return ((backoff + NeverLog10) * Math.Log(10), LmState.Empty);
            }
            backoff += _backoff[node];
            node = _suffix[node];
        }
    }

    /// <summary>Scores a word given as a string.</summary>
    public (double LogProb, LmState Next) Score(LmState state, string word) => Score(state, IdOf(word));

    /// <summary>
    /// The natural-log probability of a sentence: each token after &lt;s&gt; (when <paramref name="bos"/>)
    /// and, when <paramref name="eos"/>, the final &lt;/s&gt;.
    /// </summary>
    public double LogProbability(IEnumerable<string> tokens, bool bos = true, bool eos = true)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var state = bos ? BeginState : LmState.Empty;
        double total = 0;
        foreach (var token in tokens)
        {
            (var lp, state) = Score(state, token);
            total += lp;
        }
        if (eos)
        {
            total += Score(state, EndId).LogProb;
        }
        return total;
    }

    /// <summary>
    /// Perplexity over sentences: exp(−Σ log p / N), N counting every scored token including each &lt;/s&gt;.
    /// </summary>
    public double Perplexity(IEnumerable<IReadOnlyList<string>> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        double total = 0;
        long count = 0;
        foreach (var sentence in sentences)
        {
            total += LogProbability(sentence);
            count += sentence.Count + 1;
        }
        return count == 0 ? double.NaN : Math.Exp(-total / count);
    }

    /// <summary>The stored n-grams, shortest first: words, log10 probability, log10 back-off (0 if none).</summary>
    public IEnumerable<(string[] Words, double Log10Prob, double Log10Backoff)> Entries()
    {
        for (var order = 1; order <= Order; order++)
        {
            for (var e = 1; e < _word.Count; e++)
            {
                if (_order[e] == order)
                {
                    yield return (WordsOf(e), _logProb[e], _backoff[e]);
                }
            }
        }
    }

    /// <summary>Whether the n-gram of <paramref name="words"/> is stored.</summary>
    public bool HasNGram(IReadOnlyList<string> words) => Find(words) >= 0;

    /// <summary>The states a decoder can be in (every stored n-gram shorter than the order, and the empty context).</summary>
    public IEnumerable<LmState> ContextStates()
    {
        yield return LmState.Empty;
        for (var e = 1; e < _word.Count; e++)
        {
            if (_order[e] < Order && _word[e] != EndId)
            {
                yield return new LmState(e);
            }
        }
    }

    /// <summary>The words of a state's context (for diagnostics).</summary>
    public string[] ContextOf(LmState state) => state.Node == 0 ? [] : WordsOf(state.Node);

    /// <summary>Adds an n-gram whose prefix is already stored; returns its node.</summary>
    internal int Add(IReadOnlyList<int> words, double log10Prob, double log10Backoff)
    {
        var parent = 0;
        for (var i = 0; i < words.Count - 1; i++)
        {
            parent = Child(parent, words[i]);
            if (parent < 0)
            {
                throw new InvalidDataException($"n-gram '{string.Join(' ', words.Select(w => _words[w]))}' has no stored prefix '{string.Join(' ', words.Take(i + 1).Select(w => _words[w]))}'");
            }
        }
        var word = words[^1];
        if (_children.ContainsKey(Key(parent, word)))
        {
            throw new InvalidDataException($"n-gram '{string.Join(' ', words.Select(w => _words[w]))}' appears twice");
        }
        var node = _word.Count;
        _word.Add(word);
        _parent.Add(parent);
        _order.Add(words.Count);
        _logProb.Add(log10Prob);
        _backoff.Add(log10Backoff);
        _suffix.Add(0);
        _children[Key(parent, word)] = node;
        return node;
    }

    /// <summary>Links every node to its longest stored proper suffix; call once all n-grams are added.</summary>
    internal void Seal()
    {
        _counts = new int[Order];
        for (var e = 1; e < _word.Count; e++)
        {
            _counts[_order[e] - 1]++;
            var words = WordsOf(e).Select(w => _ids[w]).ToArray();
            var suffix = 0;
            for (var start = 1; start < words.Length; start++)
            {
                var found = FindIds(words.AsSpan(start));
                if (found >= 0)
                {
                    suffix = found;
                    break;
                }
            }
            _suffix[e] = suffix;
        }
        if (!_children.ContainsKey(Key(0, UnkId)))
        {
            Add([UnkId], NeverLog10, 0);
            _suffix[^1] = 0;
            _counts[0]++;
        }
    }

    /// <summary>Number of internal nodes (node 0 is the empty context; node e ≥ 1 is a stored n-gram).</summary>
    internal int NodeCount => _word.Count;

    /// <summary>The last word of stored n-gram <paramref name="node"/>.</summary>
    internal int WordOf(int node) => _word[node];

    /// <summary>The node of the n-gram without its last word (0 for a unigram).</summary>
    internal int ParentOf(int node) => _parent[node];

    /// <summary>The natural-log probability stored with n-gram <paramref name="node"/>.</summary>
    internal double LogProbOf(int node) => _logProb[node] * Math.Log(10);

    /// <summary>The natural-log back-off weight of context <paramref name="node"/> (0 if none is stored).</summary>
    internal double LogBackoffOf(int node) => _backoff[node] * Math.Log(10);

    /// <summary>The context a backed-off query continues from: the longest stored proper suffix of the node.</summary>
    internal LmState SuffixOf(LmState state) => new(state.Node == 0 ? 0 : _suffix[state.Node]);

    /// <summary>The state after stored n-gram <paramref name="entry"/> was scored.</summary>
    internal LmState NextState(int entry)
    {
        // The next context is the longest stored suffix of the history of at most Order - 1 words.
        var node = _order[entry] >= Order ? _suffix[entry] : entry;
        return new LmState(node);
    }

    private int Child(int node, int word) => _children.TryGetValue(Key(node, word), out var child) ? child : -1;

    private static long Key(int node, int word) => ((long)node << 32) | (uint)word;

    private int Find(IReadOnlyList<string> words)
    {
        var ids = new int[words.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            if (!_ids.TryGetValue(words[i], out ids[i]))
            {
                return -1;
            }
        }
        return FindIds(ids);
    }

    private int FindIds(ReadOnlySpan<int> words)
    {
        var node = 0;
        foreach (var w in words)
        {
            node = Child(node, w);
            if (node < 0)
            {
                return -1;
            }
        }
        return node;
    }

    private string[] WordsOf(int node)
    {
        var words = new string[_order[node]];
        for (var i = words.Length - 1; i >= 0; i--)
        {
            words[i] = _words[_word[node]];
            node = _parent[node];
        }
        return words;
    }
}
