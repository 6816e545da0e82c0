using StreamSeq.Lattice.Tests.Support;

namespace StreamSeq.Lattice.Tests;

/// <summary>Graph construction, validation, adjacency, emission graphs, DOT output and the text format.</summary>
public sealed class GraphTests
{
    [Fact]
    public void Construction_validates_states_labels_and_weights()
    {
        var graph = new Graph();
        var s = graph.AddState(start: true);
        var t = graph.AddState(accept: true);
        Assert.Throws<ArgumentOutOfRangeException>(() => graph.AddArc(s, 5, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => graph.AddArc(s, t, -2));
        Assert.Throws<ArgumentOutOfRangeException>(() => graph.AddArc(s, t, 0, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => graph.AddArc(s, t, 0, double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => graph.SetFinal(t, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => graph.IsStart(2));
        Assert.Equal(0, graph.AddArc(s, t, 0, double.NegativeInfinity));
        Assert.True(graph.IsStart(s));
        Assert.False(graph.IsStart(t));
        Assert.True(graph.IsAccept(t));
        graph.SetFinal(t, double.NegativeInfinity);
        Assert.False(graph.IsAccept(t));
        graph.SetStart(s);
        Assert.Equal([s], graph.StartStates.ToArray());
        Assert.Equal("Graph(2 states, 1 arcs, acceptor)", graph.ToString());
    }

    [Fact]
    public void Adjacency_is_rebuilt_after_arcs_are_added()
    {
        var graph = new Graph();
        var s = graph.AddState(start: true);
        var t = graph.AddState(accept: true);
        graph.AddArc(s, t, 0);
        Assert.Equal([0], graph.OutArcs(s).ToArray());
        Assert.True(graph.IsAcyclic);
        graph.AddArc(t, s, 1);
        Assert.Equal([1], graph.OutArcs(t).ToArray());
        Assert.False(graph.IsAcyclic);
        // Writing weights keeps the structure: scores follow the new weights.
        graph.Weights[0] = 2.5;
        Assert.Equal(2.5, graph.Weights[0]);
    }

    [Fact]
    public void Emission_graph_arcs_are_laid_out_like_the_matrix()
    {
        var rng = new Random(3);
        var scores = RandomGraphs.Emissions(rng, 4, 3);
        var graph = Emissions.ToGraph(scores, 4, 3);
        Assert.Equal(5, graph.StateCount);
        Assert.Equal(12, graph.ArcCount);
        Assert.True(graph.IsInputSorted && graph.IsOutputSorted && graph.IsAcceptor);
        for (var t = 0; t < 4; t++)
        {
            for (var v = 0; v < 3; v++)
            {
                var arc = graph.Arcs[t * 3 + v];
                Assert.Equal(new Arc(t, t + 1, v, v), arc);
                Assert.Equal(scores[t * 3 + v], graph.Weights[t * 3 + v]);
            }
        }
        var single = Emissions.ToGraph(scores.Select(x => (float)x).ToArray(), 4, 3);
        Assert.Equal((float)scores[5], single.Weights[5]);
        Assert.Throws<ArgumentException>(() => Emissions.ToGraph(scores, 5, 3));
    }

    [Fact]
    public void Dot_output_has_one_line_per_state_and_arc()
    {
        var graph = new Graph();
        var s = graph.AddState(start: true);
        var m = graph.AddState();
        var t = graph.AddState(accept: true);
        graph.SetFinal(t, -0.5);
        graph.AddArc(s, m, 0, 1, -1.25);
        graph.AddArc(m, t, Graph.Epsilon, 2, 0.5);
        graph.AddArc(s, t, 1, Graph.Epsilon, 0.0);
        var dot = GraphDot.ToDot(graph, label => "\"" + (char)('a' + label));
        var lines = dot.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("digraph lattice {", lines[0]);
        Assert.Equal("}", lines[^1]);
        Assert.Equal(3, lines.Count(l => l.Contains("->")));
        Assert.Equal(3, lines.Count(l => l.Contains("label=") && !l.Contains("->")));
        Assert.Single(lines, l => l.Contains("doublecircle") && l.Contains("2/-0.5"));
        Assert.Single(lines, l => l.Contains("penwidth=2"));
        Assert.Contains("0 -> 1 [label=\"\\\"a:\\\"b/-1.25\"];", lines);
        Assert.Contains("1 -> 2 [label=\"ε:\\\"c/0.5\"];", lines);

        var acceptor = Emissions.ToGraph([0.0, -1.0], 1, 2);
        Assert.Contains("  0 -> 1 [label=\"1/-1\"];\n", GraphDot.ToDot(acceptor));
    }

    [Fact]
    public void Text_format_round_trips_every_weight_exactly()
    {
        var rng = new Random(5);
        var graph = RandomGraphs.Dag(rng, 6, 12, 4, acceptor: false, epsilonRate: 0.3);
        graph.Weights[3] = double.NegativeInfinity;
        graph.Weights[4] = 1.0 / 3.0;
        var path = Path.Combine(Path.GetTempPath(), $"lattice-{Guid.NewGuid():N}.txt");
        try
        {
            GraphFile.Save(graph, path);
            var loaded = GraphFile.Load(path);
            Assert.Equal(graph.StateCount, loaded.StateCount);
            Assert.Equal(graph.Arcs.ToArray(), loaded.Arcs.ToArray());
            Assert.Equal(graph.Weights.ToArray(), loaded.Weights.ToArray());
            Assert.Equal(graph.StartStates.ToArray(), loaded.StartStates.ToArray());
            Assert.Equal(graph.FinalWeights.ToArray(), loaded.FinalWeights.ToArray());
            Assert.Equal(GraphOps.ForwardScore(graph), GraphOps.ForwardScore(loaded));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("lattice 1\n", 1, "first line")]
    [InlineData("streamseq-lattice 2\n", 1, "version 2 is not supported")]
    [InlineData("streamseq-lattice 1\nstates 2\n", 2, "states N arcs M")]
    [InlineData("streamseq-lattice 1\nstates 2 arcs 1\narc 0 2 0 0 0\n", 3, "'2' is not a state below 2")]
    [InlineData("streamseq-lattice 1\nstates 2 arcs 1\narc 0 1 -3 0 0\n", 3, "not a label")]
    [InlineData("streamseq-lattice 1\nstates 2 arcs 1\narc 0 1 0 0 nan\n", 3, "not a weight")]
    [InlineData("streamseq-lattice 1\nstates 2 arcs 2\n# comment\n\narc 0 1 0 0 0\n", 5, "announced 2 arcs but 1")]
    [InlineData("streamseq-lattice 1\nstates 2 arcs 0\nfinish 1\n", 3, "expected a 'start', 'final' or 'arc' line")]
    public void Reading_a_bad_file_names_the_file_and_line(string text, int line, string message)
    {
        var error = Assert.Throws<FormatException>(() => GraphFile.Read(new StringReader(text), "bad.lattice"));
        Assert.StartsWith($"bad.lattice:{line}: ", error.Message);
        Assert.Contains(message, error.Message);
    }
}
