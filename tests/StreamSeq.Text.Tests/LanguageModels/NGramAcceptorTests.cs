using StreamSeq.Lattice;
using StreamSeq.Text.LanguageModels;

namespace StreamSeq.Text.Tests.LanguageModels;

/// <summary>An n-gram model as a weighted acceptor scores strings as the model does (exactly with expanded
/// back-off, at least as well with epsilon back-off arcs).</summary>
public sealed class NGramAcceptorTests
{
    private static readonly string[] Train =
    [
        "one two three", "three two one", "one one two", "turn on the light", "turn off the light",
        "open the door", "close the door", "two three four five", "the light is on", "the door is open",
    ];

    private const string Characters = "abcdefghijklmnopqrstuvwxyz ";

    private static NGramModel Model(int order) => KneserNeyTrainer.Train(Train.Select(l => LmTokens.Characters(l)).ToList(), order);

    /// <summary>One token per character (spaces as &lt;sp&gt;, none trimmed or merged), as the acceptor reads them.</summary>
    private static string[] Tokens(string text) => [.. text.Select(c => c == ' ' ? LmTokens.Space : c.ToString())];

    private static Graph Linear(string text)
    {
        var graph = new Graph();
        graph.AddStates(text.Length + 1);
        graph.SetStart(0);
        graph.SetFinal(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            graph.AddArc(i, i + 1, Characters.IndexOf(text[i]) + 1);
        }
        return graph;
    }

    private static IEnumerable<string> Samples()
    {
        var rng = new Random(3);
        foreach (var line in Train.Take(4))
        {
            yield return line;
        }
        yield return "the door is on";
        yield return "zq xj";
        for (var i = 0; i < 20; i++)
        {
            yield return new string([.. Enumerable.Range(0, rng.Next(1, 9)).Select(_ => Characters[rng.Next(Characters.Length)])]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void With_expanded_backoff_a_strings_only_path_scores_its_weighted_log_probability(int order)
    {
        var model = Model(order);
        var acceptor = NGramAcceptor.Build(model, NGramAcceptor.CharacterSymbols(model, Characters), scale: 0.7, BackoffArcs.Exact);
        Assert.True(acceptor.IsInputSorted);
        Assert.DoesNotContain(acceptor.Arcs.ToArray(), a => a.Input == Graph.Epsilon);
        foreach (var text in Samples())
        {
            var scored = GraphOps.Intersect(Linear(text), acceptor);
            var expected = 0.7 * model.LogProbability(Tokens(text), bos: true, eos: true);
            Assert.Equal(expected, GraphOps.ViterbiScore(scored), 9);
            // One path per string: the forward score is the same.
            Assert.Equal(expected, GraphOps.ForwardScore(scored), 9);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void With_epsilon_backoff_the_best_path_never_scores_below_the_model_and_the_graph_is_smaller(int order)
    {
        var model = Model(order);
        var symbols = NGramAcceptor.CharacterSymbols(model, Characters);
        var epsilon = NGramAcceptor.Build(model, symbols, 1.0, BackoffArcs.Epsilon);
        var exact = NGramAcceptor.Build(model, symbols, 1.0, BackoffArcs.Exact);
        Assert.True(epsilon.ArcCount < exact.ArcCount, $"{epsilon.ArcCount} vs {exact.ArcCount}");
        Assert.True(epsilon.IsInputSorted);
        Assert.Contains(epsilon.Arcs.ToArray(), a => a.Input == Graph.Epsilon);
        var equal = 0;
        foreach (var text in Samples())
        {
            var expected = model.LogProbability(Tokens(text));
            var best = GraphOps.ViterbiScore(GraphOps.Intersect(Linear(text), epsilon));
            Assert.True(best >= expected - 1e-9, $"'{text}': {best} < {expected}");
            equal += Math.Abs(best - expected) < 1e-9 ? 1 : 0;
        }
        // The approximation is usually exact on the training lines' own n-grams.
        Assert.True(equal > 0);
    }

    [Fact]
    public void Auto_expands_small_models_and_falls_back_to_epsilon_arcs_over_the_limit()
    {
        var model = Model(3);
        var symbols = NGramAcceptor.CharacterSymbols(model, Characters);
        var auto = NGramAcceptor.Build(model, symbols);
        Assert.DoesNotContain(auto.Arcs.ToArray(), a => a.Input == Graph.Epsilon);
        var limited = NGramAcceptor.Build(model, symbols, maxArcs: 100);
        Assert.Contains(limited.Arcs.ToArray(), a => a.Input == Graph.Epsilon);
        Assert.Throws<InvalidOperationException>(() => NGramAcceptor.Build(model, symbols, backoff: BackoffArcs.Exact, maxArcs: 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => NGramAcceptor.Build(model, symbols, scale: -1));
    }

    [Fact]
    public void Character_symbols_use_the_space_token_and_lower_case_when_the_model_has_only_that()
    {
        var model = Model(2);
        var symbols = NGramAcceptor.CharacterSymbols(model, "aT 9");
        Assert.Equal([(1, "a"), (2, "t"), (3, LmTokens.Space), (4, "9")], symbols);
        Assert.False(model.Contains("9"));
    }
}
