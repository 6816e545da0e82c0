using StreamSeq.Lattice.Tests.Support;

namespace StreamSeq.Lattice.Tests;

/// <summary>Union, concat, closure, projection, topological sort, connect, arc sort and epsilon removal against
/// enumeration on random graphs, with their gradient maps.</summary>
public sealed class AlgebraTests
{
    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 0; seed < 25; seed++)
        {
            data.Add(seed);
        }
        return data;
    }

    private static Graph Random(Random rng, bool acceptor = false, double epsilonRate = 0.2) =>
        RandomGraphs.Dag(rng, rng.Next(2, 6), rng.Next(1, 9), 3, acceptor, epsilonRate);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Union_has_every_path_of_every_input(int seed)
    {
        var rng = new Random(seed);
        var graphs = new[] { Random(rng), Random(rng), Random(rng) };
        var union = GraphOps.Union(graphs);
        BruteForce.AssertSamePaths(graphs.SelectMany(g => BruteForce.Keyed(BruteForce.Paths(g))), BruteForce.Keyed(BruteForce.Paths(union)), "union");
        CheckGradientMap(union, graphs);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Concat_pairs_paths_in_order(int seed)
    {
        var rng = new Random(100 + seed);
        var first = Random(rng);
        var second = Random(rng);
        var third = Random(rng);
        var concat = GraphOps.Concat(first, second, third);
        var expected =
            from p in BruteForce.Paths(first)
            from q in BruteForce.Paths(second)
            from r in BruteForce.Paths(third)
            select (string.Join(',', p.Input.Concat(q.Input).Concat(r.Input)) + "|" + string.Join(',', p.Output.Concat(q.Output).Concat(r.Output)), p.Score + q.Score + r.Score);
        BruteForce.AssertSamePaths(expected, BruteForce.Keyed(BruteForce.Paths(concat)), "concat");
        CheckGradientMap(concat, [first, second, third]);
    }

    [Fact]
    public void Concat_of_nothing_accepts_only_the_empty_string()
    {
        var paths = BruteForce.Paths(GraphOps.Concat());
        var only = Assert.Single(paths);
        Assert.Empty(only.Arcs);
        Assert.Equal(0.0, only.Score);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Closure_repeats_paths_zero_or_more_times(int seed)
    {
        var rng = new Random(200 + seed);
        var graph = RandomGraphs.Dag(rng, rng.Next(2, 5), rng.Next(1, 6), 3, acceptor: false, epsilonRate: 0.2);
        var closure = GraphOps.Closure(graph);
        var singles = BruteForce.Paths(graph);
        // A path through the graph plus the link back from its end makes a cycle.
        Assert.Equal(singles.Count == 0, closure.IsAcyclic);
        // In the closure a sequence of r ≥ 1 paths uses r epsilon links plus their own arcs; enumerate both sides
        // up to the same arc budget.
        const int budget = 7;
        var expected = new List<(string, double)> { ("|", 0.0) };
        void Extend(int used, List<int> input, List<int> output, double score)
        {
            foreach (var p in singles)
            {
                var cost = used + 1 + p.Arcs.Length;
                if (cost > budget)
                {
                    continue;
                }
                var i = input.Concat(p.Input).ToList();
                var o = output.Concat(p.Output).ToList();
                var s = score + p.Score;
                expected.Add((string.Join(',', i) + "|" + string.Join(',', o), s));
                Extend(cost, i, o, s);
            }
        }
        Extend(0, [], [], 0.0);
        BruteForce.AssertSamePaths(expected, BruteForce.Keyed(BruteForce.Paths(closure, budget)), "closure");
        CheckGradientMap(closure, [graph]);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Projection_keeps_one_side_of_every_path(int seed)
    {
        var rng = new Random(300 + seed);
        var graph = Random(rng);
        var input = GraphOps.Project(graph, ProjectSide.Input);
        var output = GraphOps.Project(graph, ProjectSide.Output);
        Assert.True(input.IsAcceptor);
        Assert.True(output.IsAcceptor);
        var paths = BruteForce.Paths(graph);
        BruteForce.AssertSamePaths(paths.Select(p => (string.Join(',', p.Input) + "|" + string.Join(',', p.Input), p.Score)), BruteForce.Keyed(BruteForce.Paths(input)), "project input");
        BruteForce.AssertSamePaths(paths.Select(p => (string.Join(',', p.Output) + "|" + string.Join(',', p.Output), p.Score)), BruteForce.Keyed(BruteForce.Paths(output)), "project output");
        CheckGradientMap(input, [graph]);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Topological_sort_numbers_states_in_arc_order_and_keeps_paths(int seed)
    {
        var rng = new Random(400 + seed);
        var graph = Random(rng);
        var sorted = GraphOps.TopologicalSort(graph);
        foreach (var arc in sorted.Arcs)
        {
            Assert.True(arc.Source < arc.Target, $"arc {arc} goes backwards");
        }
        BruteForce.AssertSamePaths(BruteForce.Keyed(BruteForce.Paths(graph)), BruteForce.Keyed(BruteForce.Paths(sorted)), "topological sort");
        CheckGradientMap(sorted, [graph]);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Connect_keeps_exactly_the_useful_states(int seed)
    {
        var rng = new Random(500 + seed);
        var graph = Random(rng);
        var connected = GraphOps.Connect(graph);
        BruteForce.AssertSamePaths(BruteForce.Keyed(BruteForce.Paths(graph)), BruteForce.Keyed(BruteForce.Paths(connected)), "connect");
        // Every kept state is on some accepting path; so every kept arc is used by one.
        var used = BruteForce.Paths(connected).SelectMany(p => p.Arcs).ToHashSet();
        Assert.Equal(connected.ArcCount, used.Count);
        CheckGradientMap(connected, [graph]);
    }

    [Fact]
    public void Connect_trims_cyclic_graphs_too()
    {
        var graph = new Graph();
        var s = graph.AddState(start: true);
        var loop = graph.AddState();
        var end = graph.AddState(accept: true);
        var dead = graph.AddState();
        var orphan = graph.AddState();
        graph.AddArc(s, loop, 0);
        graph.AddArc(loop, loop, 1);
        graph.AddArc(loop, end, 2);
        graph.AddArc(loop, dead, 3);
        graph.AddArc(orphan, end, 4);
        var connected = GraphOps.Connect(graph);
        Assert.Equal(3, connected.StateCount);
        Assert.Equal(3, connected.ArcCount);
        Assert.False(connected.IsAcyclic);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Arc_sort_sets_the_sorted_flag_and_keeps_paths(int seed)
    {
        var rng = new Random(600 + seed);
        var graph = Random(rng);
        var byInput = GraphOps.ArcSort(graph, ProjectSide.Input);
        var byOutput = GraphOps.ArcSort(graph, ProjectSide.Output);
        Assert.True(byInput.IsInputSorted);
        Assert.True(byOutput.IsOutputSorted);
        BruteForce.AssertSamePaths(BruteForce.Keyed(BruteForce.Paths(graph)), BruteForce.Keyed(BruteForce.Paths(byInput)), "arc sort");
        CheckGradientMap(byOutput, [graph]);
    }

    [Fact]
    public void Sorted_flags_follow_the_order_arcs_are_added()
    {
        var graph = new Graph();
        var s = graph.AddState(start: true);
        var t = graph.AddState(accept: true);
        graph.AddArc(s, t, 0, 5, 0.0);
        graph.AddArc(s, t, 1, 5, 0.0);
        graph.AddArc(t, s, 0, 1, 0.0);
        Assert.True(graph.IsInputSorted);
        Assert.True(graph.IsOutputSorted);
        Assert.False(graph.IsAcceptor);
        graph.AddArc(s, t, 2, 4, 0.0);
        Assert.True(graph.IsInputSorted);
        Assert.False(graph.IsOutputSorted);
        graph.AddArc(s, t, Graph.Epsilon, 9, 0.0);
        Assert.False(graph.IsInputSorted);
        Assert.Equal([0, 1, 3, 4], graph.OutArcs(s).ToArray());
        Assert.Equal([2], graph.InArcs(s).ToArray());
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Epsilon_removal_keeps_each_strings_forward_and_viterbi_score(int seed)
    {
        var rng = new Random(700 + seed);
        for (var round = 0; round < 6; round++)
        {
            var graph = RandomGraphs.Dag(rng, rng.Next(2, 7), rng.Next(1, 14), 2, acceptor: rng.Next(2) == 0, epsilonRate: 0.4);
            var paths = BruteForce.Paths(graph);
            foreach (var semiring in new[] { Semiring.Log, Semiring.Tropical })
            {
                var removed = GraphOps.RemoveEpsilon(graph, semiring);
                foreach (var arc in removed.Arcs)
                {
                    Assert.False(arc.Input == Graph.Epsilon && arc.Output == Graph.Epsilon);
                }
                Assert.Null(removed.Origin);
                var after = BruteForce.Paths(removed);
                var keys = paths.Select(p => p.Key).Distinct().OrderBy(k => k, StringComparer.Ordinal).ToList();
                Assert.Equal(keys, after.Select(p => p.Key).Distinct().OrderBy(k => k, StringComparer.Ordinal).ToList());
                foreach (var key in keys)
                {
                    var before = paths.Where(p => p.Key == key).Select(p => p.Score);
                    var now = after.Where(p => p.Key == key).Select(p => p.Score);
                    if (semiring == Semiring.Log)
                    {
                        Assert.Equal(BruteForce.LogSumExp(before), BruteForce.LogSumExp(now), 9);
                    }
                    else
                    {
                        Assert.Equal(before.Max(), now.Max(), 9);
                    }
                }
            }
        }
    }

    [Fact]
    public void Epsilon_removal_rejects_an_epsilon_cycle_but_not_a_labelled_one()
    {
        var graph = new Graph();
        var s = graph.AddState(start: true);
        var t = graph.AddState(accept: true);
        graph.AddArc(s, t, Graph.Epsilon);
        graph.AddArc(t, s, Graph.Epsilon, 0.0);
        var error = Assert.Throws<GraphCycleException>(() => GraphOps.RemoveEpsilon(graph));
        Assert.Equal("epsilon removal", error.Operation);
        Assert.Contains("epsilon subgraph", error.Message);

        var labelled = new Graph();
        var a = labelled.AddState(start: true);
        var b = labelled.AddState(accept: true);
        labelled.AddArc(a, b, Graph.Epsilon, -1.0);
        labelled.AddArc(b, a, 3, 0.5);
        var removed = GraphOps.RemoveEpsilon(labelled);
        Assert.Single(removed.Arcs.ToArray());
        Assert.Equal(3, removed.Arcs[0].Input);
        Assert.Equal(-1.0, removed.FinalWeights[0]);
    }

    /// <summary>Backward through one operation moves each result arc's gradient to its source arc: checked by
    /// giving every result arc a distinct gradient and summing by source.</summary>
    private static void CheckGradientMap(Graph result, Graph[] inputs)
    {
        Assert.NotNull(result.Origin);
        var outputGradient = Enumerable.Range(0, result.ArcCount).Select(a => 1.0 + a).ToArray();
        var set = Gradients.Backward(result, outputGradient);
        var origin = result.Origin!;
        for (var k = 0; k < inputs.Length; k++)
        {
            Assert.Same(inputs[k], origin.Inputs[k]);
            var expected = new double[inputs[k].ArcCount];
            for (var a = 0; a < result.ArcCount; a++)
            {
                var source = origin.ArcSources[k][a];
                if (source >= 0)
                {
                    // A copied arc carries its source's labels and weight.
                    Assert.Equal(inputs[k].Weights[source], result.Weights[a]);
                    expected[source] += outputGradient[a];
                }
            }
            Assert.Equal(expected, set.Of(inputs[k]));
        }
    }
}
