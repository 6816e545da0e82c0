using System.Text;

namespace StreamSeq.Lattice;

/// <summary>
/// Compiles a regular-expression-like pattern over characters into a deterministic, unweighted acceptor over
/// their labels, for constraining a recogniser's output (compose it on the output side of a lattice).
/// </summary>
/// <remarks>
/// <para>Syntax: literal characters; <c>.</c> (any character of the alphabet); classes <c>[0-9]</c>,
/// <c>[A-Za-z]</c>, <c>[^,.]</c> (negated against the alphabet); escapes <c>\d \w \s</c> and their negations
/// <c>\D \W \S</c>, and <c>\x</c> for a literal x (<c>\.</c>, <c>\(</c>, <c>\\</c>…); groups <c>( )</c> (also
/// <c>(?: )</c>); alternation <c>|</c>; quantifiers <c>?</c>, <c>*</c>, <c>+</c>, <c>{m}</c>, <c>{m,}</c>,
/// <c>{m,n}</c> (m, n ≤ <see cref="MaxRepeat"/>).</para>
/// <para>The whole transcription must match (as if anchored at both ends; a leading <c>^</c> and trailing
/// <c>$</c> are accepted and ignored). Classes and <c>.</c> are sets of the alphabet's characters: a class that
/// holds none of them is an error, as is a literal outside the alphabet. The pattern becomes a Thompson NFA,
/// then a DFA by subset construction, so every state has at most one arc per label (arcs are input-sorted, all
/// weights 0).</para>
/// </remarks>
public static class PatternGrammar
{
    /// <summary>The largest repeat count in <c>{m,n}</c>.</summary>
    public const int MaxRepeat = 100;

    /// <summary>The most DFA states a pattern may compile to.</summary>
    public const int MaxStates = 200_000;

    /// <summary>Compiles <paramref name="pattern"/> over the characters in <paramref name="symbols"/>.</summary>
    /// <param name="pattern">The pattern (non-empty).</param>
    /// <param name="symbols">Each character of the alphabet and its label (≥ 0).</param>
    /// <returns>A deterministic acceptor whose strings are the label sequences of the matching texts.</returns>
    /// <exception cref="FormatException">The pattern is malformed, or names a character outside the alphabet; the
    /// message gives the position.</exception>
    public static Graph Compile(string pattern, IReadOnlyDictionary<char, int> symbols)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(symbols);
        if (pattern.Length == 0)
        {
            throw new FormatException("the pattern is empty");
        }
        foreach (var (c, label) in symbols)
        {
            if (label < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(symbols), label, $"the label of '{c}' is negative");
            }
        }
        var body = pattern;
        if (body.StartsWith('^'))
        {
            body = body[1..];
        }
        if (body.EndsWith('$') && !EndsWithEscape(body))
        {
            body = body[..^1];
        }
        var node = new Parser(body, pattern, symbols).Parse();
        var nfa = new Nfa();
        var (start, end) = nfa.Build(node);
        return nfa.Determinise(start, end);
    }

    private static bool EndsWithEscape(string body)
    {
        var backslashes = 0;
        for (var i = body.Length - 2; i >= 0 && body[i] == '\\'; i--)
        {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    private abstract record Node;

    private sealed record SetNode(int[] Labels) : Node;

    private sealed record SeqNode(IReadOnlyList<Node> Items) : Node;

    private sealed record AltNode(IReadOnlyList<Node> Items) : Node;

    private sealed record RepeatNode(Node Item, int Min, int Max) : Node;

    private sealed class Parser(string body, string pattern, IReadOnlyDictionary<char, int> symbols)
    {
        private int _pos;

        // Offset of body inside pattern (a stripped leading '^').
        private readonly int _offset = pattern.Length > 0 && pattern[0] == '^' ? 1 : 0;

        public Node Parse()
        {
            var node = ParseAlternation();
            if (_pos < body.Length)
            {
                throw Error(body[_pos] == ')' ? "')' without a matching '('" : $"unexpected '{body[_pos]}'");
            }
            return node;
        }

        private FormatException Error(string what) =>
            new($"pattern \"{pattern}\": {what} at position {_pos + _offset + 1}");

        private Node ParseAlternation()
        {
            var items = new List<Node> { ParseSequence() };
            while (_pos < body.Length && body[_pos] == '|')
            {
                _pos++;
                items.Add(ParseSequence());
            }
            return items.Count == 1 ? items[0] : new AltNode(items);
        }

        private Node ParseSequence()
        {
            var items = new List<Node>();
            while (_pos < body.Length && body[_pos] is not ('|' or ')'))
            {
                items.Add(ParseRepeat());
            }
            return items.Count == 1 ? items[0] : new SeqNode(items);
        }

        private Node ParseRepeat()
        {
            var node = ParseAtom();
            while (_pos < body.Length)
            {
                switch (body[_pos])
                {
                    case '*':
                        _pos++;
                        node = new RepeatNode(node, 0, -1);
                        break;
                    case '+':
                        _pos++;
                        node = new RepeatNode(node, 1, -1);
                        break;
                    case '?':
                        _pos++;
                        node = new RepeatNode(node, 0, 1);
                        break;
                    case '{':
                        node = ParseCount(node);
                        break;
                    default:
                        return node;
                }
            }
            return node;
        }

        private Node ParseCount(Node node)
        {
            var open = _pos;
            _pos++;
            var min = ReadNumber();
            if (min is null)
            {
                _pos = open;
                throw Error("'{' is not followed by a count (write \\{ for the character)");
            }
            var max = min.Value;
            if (_pos < body.Length && body[_pos] == ',')
            {
                _pos++;
                max = ReadNumber() ?? -1;
            }
            if (_pos >= body.Length || body[_pos] != '}')
            {
                throw Error("a count {m,n} lacks its '}'");
            }
            _pos++;
            if (min > MaxRepeat || max > MaxRepeat)
            {
                throw Error($"a count is larger than {MaxRepeat}");
            }
            if (max >= 0 && max < min)
            {
                throw Error($"the count {{{min},{max}}} has its maximum below its minimum");
            }
            return new RepeatNode(node, min.Value, max);
        }

        private int? ReadNumber()
        {
            var start = _pos;
            var value = 0;
            while (_pos < body.Length && char.IsAsciiDigit(body[_pos]))
            {
                value = Math.Min(value * 10 + (body[_pos] - '0'), 1_000_000);
                _pos++;
            }
            return _pos == start ? null : value;
        }

        private Node ParseAtom()
        {
            var c = body[_pos];
            switch (c)
            {
                case '(':
                    {
                        _pos++;
                        if (body.AsSpan(_pos).StartsWith("?:"))
                        {
                            _pos += 2;
                        }
                        var inner = ParseAlternation();
                        if (_pos >= body.Length || body[_pos] != ')')
                        {
                            throw Error("'(' without a matching ')'");
                        }
                        _pos++;
                        return inner;
                    }
                case '[':
                    return ParseClass();
                case '.':
                    _pos++;
                    return new SetNode([.. symbols.Values.Distinct().Order()]);
                case '\\':
                    {
                        _pos++;
                        if (_pos >= body.Length)
                        {
                            throw Error("the pattern ends in a lone '\\'");
                        }
                        var escaped = body[_pos];
                        var set = ClassEscape(escaped);
                        _pos++;
                        return set is null ? Literal(escaped, _pos - 2) : Set(set, $"\\{escaped}");
                    }
                case '*' or '+' or '?' or '{':
                    throw Error($"'{c}' has nothing to repeat");
                default:
                    _pos++;
                    return Literal(c, _pos - 1);
            }
        }

        private Node Literal(char c, int at)
        {
            if (!symbols.TryGetValue(c, out var label))
            {
                _pos = at;
                throw Error($"the character '{c}' is not in the alphabet");
            }
            return new SetNode([label]);
        }

        private Node Set(IEnumerable<char> chars, string name)
        {
            var labels = chars.Where(symbols.ContainsKey).Select(ch => symbols[ch]).Distinct().Order().ToArray();
            if (labels.Length == 0)
            {
                throw Error($"{name} matches no character of the alphabet");
            }
            return new SetNode(labels);
        }

        /// <summary>The characters of \d, \w, \s and their negations (over the alphabet), or null for a literal escape.</summary>
        private IEnumerable<char>? ClassEscape(char c) => c switch
        {
            'd' => symbols.Keys.Where(char.IsAsciiDigit),
            'w' => symbols.Keys.Where(ch => char.IsLetterOrDigit(ch) || ch == '_'),
            's' => symbols.Keys.Where(char.IsWhiteSpace),
            'D' => symbols.Keys.Where(ch => !char.IsAsciiDigit(ch)),
            'W' => symbols.Keys.Where(ch => !(char.IsLetterOrDigit(ch) || ch == '_')),
            'S' => symbols.Keys.Where(ch => !char.IsWhiteSpace(ch)),
            _ => null,
        };

        private Node ParseClass()
        {
            var open = _pos;
            _pos++;
            var negate = _pos < body.Length && body[_pos] == '^';
            if (negate)
            {
                _pos++;
            }
            var chars = new HashSet<char>();
            var first = true;
            while (true)
            {
                if (_pos >= body.Length)
                {
                    _pos = open;
                    throw Error("'[' without a matching ']'");
                }
                var c = body[_pos];
                if (c == ']' && !first)
                {
                    _pos++;
                    break;
                }
                first = false;
                _pos++;
                if (c == '\\')
                {
                    if (_pos >= body.Length)
                    {
                        throw Error("the pattern ends in a lone '\\'");
                    }
                    var escaped = body[_pos++];
                    if (ClassEscape(escaped) is { } set)
                    {
                        chars.UnionWith(set);
                        continue;
                    }
                    c = escaped;
                }
                if (_pos + 1 < body.Length && body[_pos] == '-' && body[_pos + 1] != ']')
                {
                    var high = body[_pos + 1];
                    _pos += 2;
                    if (high == '\\' && _pos < body.Length)
                    {
                        high = body[_pos++];
                    }
                    if (high < c)
                    {
                        throw Error($"the range {c}-{high} is reversed");
                    }
                    for (var x = c; x <= high; x++)
                    {
                        chars.Add(x);
                        if (x == char.MaxValue)
                        {
                            break;
                        }
                    }
                    continue;
                }
                chars.Add(c);
            }
            var text = body[open.._pos];
            return Set(negate ? symbols.Keys.Where(ch => !chars.Contains(ch)) : chars, text);
        }
    }

    /// <summary>A Thompson NFA: per state, epsilon targets and labelled transitions (a label set to a target).</summary>
    private sealed class Nfa
    {
        private readonly List<List<int>> _epsilon = [];
        private readonly List<List<(int[] Labels, int Target)>> _moves = [];

        private int NewState()
        {
            _epsilon.Add([]);
            _moves.Add([]);
            if (_epsilon.Count > MaxStates * 4)
            {
                throw new FormatException($"the pattern is too large (over {MaxStates * 4} NFA states)");
            }
            return _epsilon.Count - 1;
        }

        public (int Start, int End) Build(Node node)
        {
            switch (node)
            {
                case SetNode set:
                    {
                        var s = NewState();
                        var e = NewState();
                        _moves[s].Add((set.Labels, e));
                        return (s, e);
                    }
                case SeqNode seq:
                    {
                        var s = NewState();
                        var current = s;
                        foreach (var item in seq.Items)
                        {
                            var (a, b) = Build(item);
                            _epsilon[current].Add(a);
                            current = b;
                        }
                        return (s, current);
                    }
                case AltNode alt:
                    {
                        var s = NewState();
                        var e = NewState();
                        foreach (var item in alt.Items)
                        {
                            var (a, b) = Build(item);
                            _epsilon[s].Add(a);
                            _epsilon[b].Add(e);
                        }
                        return (s, e);
                    }
                case RepeatNode repeat:
                    {
                        var s = NewState();
                        var current = s;
                        for (var i = 0; i < repeat.Min; i++)
                        {
                            var (a, b) = Build(repeat.Item);
                            _epsilon[current].Add(a);
                            current = b;
                        }
                        if (repeat.Max < 0)
                        {
                            // Zero or more further copies: a loop through one copy.
                            var (a, b) = Build(repeat.Item);
                            var e = NewState();
                            _epsilon[current].Add(a);
                            _epsilon[current].Add(e);
                            _epsilon[b].Add(current);
                            return (s, e);
                        }
                        var end = NewState();
                        _epsilon[current].Add(end);
                        for (var i = repeat.Min; i < repeat.Max; i++)
                        {
                            var (a, b) = Build(repeat.Item);
                            _epsilon[current].Add(a);
                            _epsilon[b].Add(end);
                            current = b;
                        }
                        return (s, end);
                    }
                default:
                    throw new InvalidOperationException(node.GetType().Name);
            }
        }

        private int[] Closure(IEnumerable<int> states)
        {
            var seen = new HashSet<int>();
            var stack = new Stack<int>();
            foreach (var s in states)
            {
                if (seen.Add(s))
                {
                    stack.Push(s);
                }
            }
            while (stack.Count > 0)
            {
                foreach (var t in _epsilon[stack.Pop()])
                {
                    if (seen.Add(t))
                    {
                        stack.Push(t);
                    }
                }
            }
            var result = seen.ToArray();
            Array.Sort(result);
            return result;
        }

        /// <summary>Subset construction: DFA states are epsilon-closed sets of NFA states.</summary>
        public Graph Determinise(int start, int end)
        {
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            var sets = new List<int[]>();
            string Key(int[] set)
            {
                var builder = new StringBuilder(set.Length * 4);
                foreach (var s in set)
                {
                    builder.Append(s).Append(',');
                }
                return builder.ToString();
            }
            int IdOf(int[] set)
            {
                var key = Key(set);
                if (!ids.TryGetValue(key, out var id))
                {
                    id = sets.Count;
                    if (id >= MaxStates)
                    {
                        throw new FormatException($"the pattern is too large (over {MaxStates} DFA states)");
                    }
                    ids[key] = id;
                    sets.Add(set);
                }
                return id;
            }
            IdOf(Closure([start]));
            var arcs = new List<(int Source, int Target, int Label)>();
            for (var k = 0; k < sets.Count; k++)
            {
                var byLabel = new SortedDictionary<int, List<int>>();
                foreach (var s in sets[k])
                {
                    foreach (var (labels, target) in _moves[s])
                    {
                        foreach (var label in labels)
                        {
                            if (!byLabel.TryGetValue(label, out var targets))
                            {
                                byLabel[label] = targets = [];
                            }
                            targets.Add(target);
                        }
                    }
                }
                foreach (var (label, targets) in byLabel)
                {
                    arcs.Add((k, IdOf(Closure(targets)), label));
                }
            }
            var graph = new Graph(sets.Count, arcs.Count);
            graph.AddStates(sets.Count);
            graph.SetStart(0);
            for (var k = 0; k < sets.Count; k++)
            {
                if (Array.BinarySearch(sets[k], end) >= 0)
                {
                    graph.SetFinal(k);
                }
            }
            foreach (var (source, target, label) in arcs)
            {
                graph.AddArc(source, target, label);
            }
            return graph;
        }
    }
}
