using System.Text.RegularExpressions;
using StreamSeq.Lattice.Tests.Support;

namespace StreamSeq.Lattice.Tests;

/// <summary>Pattern and word-list acceptors against brute force (every string up to a length), and n-best
/// distinct strings against path enumeration.</summary>
public sealed class GrammarTests
{
    private const string Alphabet = "ab01 ";

    private static readonly Dictionary<char, int> Symbols = Alphabet.Select((c, i) => (c, i + 1)).ToDictionary(p => p.c, p => p.Item2);

    private static int[] LabelsOf(string text) => [.. text.Select(c => Symbols[c])];

    /// <summary>Every string over <paramref name="chars"/> of length 0..<paramref name="maxLength"/>.</summary>
    private static IEnumerable<string> Strings(string chars, int maxLength)
    {
        IEnumerable<string> level = [""];
        for (var length = 0; length <= maxLength; length++)
        {
            foreach (var s in level)
            {
                yield return s;
            }
            level = level.SelectMany(s => chars.Select(c => s + c)).ToList();
        }
    }

    private static Graph Linear(IReadOnlyList<int> labels)
    {
        var graph = new Graph();
        graph.AddStates(labels.Count + 1);
        graph.SetStart(0);
        graph.SetFinal(labels.Count);
        for (var i = 0; i < labels.Count; i++)
        {
            graph.AddArc(i, i + 1, labels[i]);
        }
        return graph;
    }

    private static bool Accepts(Graph acceptor, string text) =>
        GraphOps.Viterbi(GraphOps.Intersect(Linear(LabelsOf(text)), acceptor)).HasPath;

    private static void AssertDeterministic(Graph graph)
    {
        Assert.Single(graph.StartStates.ToArray());
        Assert.True(graph.IsInputSorted);
        for (var s = 0; s < graph.StateCount; s++)
        {
            var labels = graph.OutArcs(s).ToArray().Select(a => graph.Arcs[a].Input).ToList();
            Assert.DoesNotContain(Graph.Epsilon, labels);
            Assert.Equal(labels.Count, labels.Distinct().Count());
        }
    }

    public static TheoryData<string> Patterns() =>
    [
        "a", "a|b", "(ab)*", "[0-1]+a?", "a{2,3}", "(a|b0){1,2}1*", ".b", "[^a]*", "\\d+", "a{2}", "(a*)*", "(|a)b",
        "a{1,}b", "(?:a|1)+0", "[a-b][0-9]?", "^ab$", "a b", "\\s", "[ab]{0,2}(01|10)", "((a|b)(0|1))+",
    ];

    [Theory]
    [MemberData(nameof(Patterns))]
    public void A_pattern_accepts_exactly_the_strings_the_anchored_regex_matches(string pattern)
    {
        var grammar = PatternGrammar.Compile(pattern, Symbols);
        AssertDeterministic(grammar);
        Assert.All(grammar.Weights.ToArray(), w => Assert.Equal(0.0, w));
        var regex = new Regex("^(?:" + pattern.TrimStart('^').TrimEnd('$') + ")$");
        foreach (var text in Strings(Alphabet, 5))
        {
            Assert.True(regex.IsMatch(text) == Accepts(grammar, text), $"pattern {pattern}: '{text}' regex {regex.IsMatch(text)}");
        }
    }

    [Theory]
    [InlineData("[0-9", "'[' without a matching ']' at position 1")]
    [InlineData("a)", "')' without a matching '(' at position 2")]
    [InlineData("(ab", "'(' without a matching ')'")]
    [InlineData("*a", "'*' has nothing to repeat at position 1")]
    [InlineData("a{3,2}", "maximum below its minimum")]
    [InlineData("a{2", "lacks its '}'")]
    [InlineData("ab{x}", "'{' is not followed by a count")]
    [InlineData("a{500}", "larger than 100")]
    [InlineData("a9", "the character '9' is not in the alphabet at position 2")]
    [InlineData("[x-z]", "[x-z] matches no character of the alphabet")]
    [InlineData("a\\", "lone '\\'")]
    [InlineData("", "empty")]
    public void A_malformed_pattern_is_an_error_that_says_where(string pattern, string message)
    {
        var error = Assert.Throws<FormatException>(() => PatternGrammar.Compile(pattern, Symbols));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_word_list_accepts_its_words_separated_by_single_separators()
    {
        string[] words = ["ab", "a", "b01", "10", "a"];
        var lexicon = LexiconGrammar.Build(words.Select(w => (IReadOnlyList<int>)LabelsOf(w)), Symbols[' ']);
        AssertDeterministic(lexicon);
        var set = words.ToHashSet();
        foreach (var text in Strings(Alphabet, 6))
        {
            var expected = text.Length > 0 && text.Split(' ').All(set.Contains);
            Assert.True(expected == Accepts(lexicon, text), $"'{text}'");
        }
        // Without a separator: one word only.
        var single = LexiconGrammar.Build(words.Select(w => (IReadOnlyList<int>)LabelsOf(w)));
        Assert.True(Accepts(single, "b01"));
        Assert.False(Accepts(single, "a a"));
        Assert.False(Accepts(single, ""));
        Assert.Throws<ArgumentException>(() => LexiconGrammar.Build([LabelsOf("a b")], Symbols[' ']));
    }

    [Fact]
    public void N_best_strings_are_the_distinct_output_strings_in_order_of_their_best_path()
    {
        var rng = new Random(7);
        for (var trial = 0; trial < 60; trial++)
        {
            var graph = RandomGraphs.Dag(rng, rng.Next(3, 8), rng.Next(4, 16), 3, acceptor: trial % 2 == 0, epsilonRate: 0.3);
            var expected = BruteForce.Paths(graph)
                .GroupBy(p => string.Join(',', p.Output))
                .Select(g => (Key: g.Key, Score: g.Max(p => p.Score)))
                .OrderByDescending(p => p.Score).ToList();
            var count = rng.Next(1, 6);
            var actual = NBestStrings.Run(graph, count);
            Assert.Equal(Math.Min(count, expected.Count), actual.Count);
            Assert.Equal(actual.Count, actual.Select(a => string.Join(',', a.Labels)).Distinct().Count());
            for (var i = 0; i < actual.Count; i++)
            {
                // Scores match rank by rank (ties may list equal-scored strings in either order).
                Assert.Equal(expected[i].Score, actual[i].Score, 9);
                var key = string.Join(',', actual[i].Labels);
                Assert.Equal(expected.Single(e => e.Key == key).Score, actual[i].Score, 9);
            }
        }
    }

    [Fact]
    public void N_best_strings_of_a_CTC_lattice_merge_alignments_of_the_same_text()
    {
        // Three frames over {blank, x, y}: many alignments spell "x"; the n-best strings list it once.
        double[] scores = [Math.Log(0.1), Math.Log(0.8), Math.Log(0.1), Math.Log(0.2), Math.Log(0.7), Math.Log(0.1), Math.Log(0.2), Math.Log(0.7), Math.Log(0.1)];
        var lattice = GraphOps.Compose(Emissions.ToGraph(scores, 3, 3), Ctc.Topology(3, 0));
        var strings = NBestStrings.Run(lattice, 4);
        Assert.Equal(4, strings.Count);
        Assert.Equal([1], strings[0].Labels);
        Assert.Equal(Math.Log(0.8 * 0.7 * 0.7), strings[0].Score, 9);
        Assert.Equal(strings.Count, strings.Select(s => string.Join(',', s.Labels)).Distinct().Count());
        Assert.True(strings.Zip(strings.Skip(1)).All(p => p.First.Score >= p.Second.Score));
        var cyclic = LexiconGrammar.Build([[1]], 2);
        Assert.Throws<GraphCycleException>(() => NBestStrings.Run(cyclic, 2));
    }
}
