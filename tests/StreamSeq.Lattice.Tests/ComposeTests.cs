using StreamSeq.Lattice.Tests.Support;

namespace StreamSeq.Lattice.Tests;

/// <summary>Composition and intersection against enumerated path pairs, sorted and unsorted, with gradients.</summary>
public sealed class ComposeTests
{
    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 0; seed < 30; seed++)
        {
            data.Add(seed);
        }
        return data;
    }

    /// <summary>Every pair (p1, p2) with output(p1) = input(p2), epsilons aside, as (input(p1), output(p2), sum).</summary>
    private static IEnumerable<(string Key, double Score)> ExpectedPairs(Graph first, Graph second) =>
        from p1 in BruteForce.Paths(first)
        from p2 in BruteForce.Paths(second)
        where p1.Output.SequenceEqual(p2.Input)
        select (string.Join(',', p1.Input) + "|" + string.Join(',', p2.Output), p1.Score + p2.Score);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Compose_pairs_each_matching_path_pair_exactly_once(int seed)
    {
        var rng = new Random(seed);
        for (var round = 0; round < 8; round++)
        {
            var first = RandomGraphs.Dag(rng, rng.Next(2, 6), rng.Next(1, 10), 3, acceptor: false, epsilonRate: 0.3);
            var second = RandomGraphs.Dag(rng, rng.Next(2, 6), rng.Next(1, 10), 3, acceptor: false, epsilonRate: 0.3);
            var expected = ExpectedPairs(first, second).ToList();
            foreach (var (a, b) in new[]
                     {
                         (first, second),
                         (first, GraphOps.ArcSort(second, ProjectSide.Input)),
                         (GraphOps.ArcSort(first, ProjectSide.Output), second),
                     })
            {
                var composed = GraphOps.Compose(a, b);
                BruteForce.AssertSamePaths(expected, BruteForce.Keyed(BruteForce.Paths(composed)), $"seed {seed} round {round}");
                if (expected.Count > 0)
                {
                    Assert.Equal(BruteForce.LogSumExp(expected.Select(p => p.Score)), GraphOps.ForwardScore(composed), 9);
                }
                // Trimmed: every state lies on an accepting path.
                Assert.Equal(composed.StateCount, GraphOps.Connect(composed).StateCount);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Intersect_keeps_strings_both_acceptors_accept(int seed)
    {
        var rng = new Random(500 + seed);
        for (var round = 0; round < 8; round++)
        {
            var first = RandomGraphs.Dag(rng, rng.Next(2, 7), rng.Next(1, 12), 2, acceptor: true);
            var second = RandomGraphs.Dag(rng, rng.Next(2, 7), rng.Next(1, 12), 2, acceptor: true);
            var result = GraphOps.Intersect(first, second);
            Assert.True(result.IsAcceptor);
            BruteForce.AssertSamePaths(ExpectedPairs(first, second), BruteForce.Keyed(BruteForce.Paths(result)), $"seed {seed}");
        }
    }

    [Fact]
    public void Large_state_products_use_the_hash_map_and_give_the_same_result()
    {
        // 1 101 × 600 × 2 state triples exceed the flat map's 1 M entries; the dead states cost nothing else.
        var chain = new Graph();
        chain.AddStates(1101);
        chain.SetStart(0);
        chain.SetFinal(1100);
        for (var i = 0; i < 1100; i++)
        {
            chain.AddArc(i, i + 1, i % 3, -0.001 * i);
        }
        Graph Loop(int deadStates)
        {
            var loop = new Graph();
            var s = loop.AddState(start: true, accept: true);
            loop.AddStates(deadStates);
            loop.AddArc(s, s, 0, -0.5);
            loop.AddArc(s, s, 1, -0.25);
            loop.AddArc(s, s, 2, -1.0);
            return loop;
        }
        var small = GraphOps.Intersect(chain, Loop(0));
        var large = GraphOps.Intersect(chain, Loop(599));
        Assert.Equal(1100, small.ArcCount);
        Assert.Equal(small.Arcs.ToArray(), large.Arcs.ToArray());
        Assert.Equal(small.Weights.ToArray(), large.Weights.ToArray());
        var expected = 0.0;
        for (var i = 0; i < 1100; i++)
        {
            expected += -0.001 * i + (i % 3 == 0 ? -0.5 : i % 3 == 1 ? -0.25 : -1.0);
        }
        Assert.Equal(expected, GraphOps.ForwardScore(large), 9);
    }

    [Fact]
    public void Intersect_rejects_transducers()
    {
        var transducer = new Graph();
        transducer.AddArc(transducer.AddState(start: true), transducer.AddState(accept: true), 0, 1, 0.0);
        var acceptor = new Graph();
        acceptor.AddArc(acceptor.AddState(start: true), acceptor.AddState(accept: true), 0, 0.0);
        Assert.Throws<ArgumentException>(() => GraphOps.Intersect(acceptor, transducer));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Forward_gradient_flows_back_through_compose_to_both_inputs(int seed)
    {
        var rng = new Random(900 + seed);
        var first = RandomGraphs.Dag(rng, 5, 10, 2, acceptor: false, epsilonRate: 0.25);
        var second = RandomGraphs.Dag(rng, 5, 10, 2, acceptor: false, epsilonRate: 0.25);
        var composed = GraphOps.Compose(first, second);
        var forward = GraphOps.Forward(composed);
        if (!forward.HasPath)
        {
            return;
        }
        var gradients = Gradients.Backward(composed, forward.ArcPosteriors);
        foreach (var input in new[] { first, second })
        {
            var analytic = gradients.Of(input);
            for (var a = 0; a < input.ArcCount; a++)
            {
                var numeric = BruteForce.FiniteDifference(input, a, () => GraphOps.ForwardScore(GraphOps.Compose(first, second)));
                Assert.Equal(numeric, analytic[a], 6);
            }
        }
    }

    [Fact]
    public void Viterbi_gradient_maps_back_to_the_emission_matrix()
    {
        var rng = new Random(11);
        const int frames = 4;
        const int labels = 3;
        var scores = RandomGraphs.Emissions(rng, frames, labels);
        var emissions = Emissions.ToGraph(scores, frames, labels);
        Graph grammar;
        Graph lattice;
        ViterbiResult viterbi;
        do
        {
            grammar = RandomGraphs.Dag(rng, 8, 30, labels, acceptor: true, epsilonRate: 0.1);
            lattice = GraphOps.Intersect(emissions, grammar);
            viterbi = GraphOps.Viterbi(lattice);
        }
        while (!viterbi.HasPath);
        var gradient = Gradients.Backward(lattice, viterbi.ArcGradient()).Of(emissions);
        Assert.Equal(frames * labels, gradient.Length);
        for (var i = 0; i < scores.Length; i++)
        {
            var numeric = BruteForce.FiniteDifference(emissions, i, () => GraphOps.ViterbiScore(GraphOps.Intersect(emissions, grammar)), 1e-7);
            Assert.Equal(numeric, gradient[i], 5);
        }
        // One emission per frame on the best path (the grammar's epsilons aside).
        Assert.Equal(frames, gradient.Sum());
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Gradients_flow_back_through_a_chain_of_operations(int seed)
    {
        // forward(closure-free chain): union(compose(a, b), project(c)) concatenated with arc-sorted d.
        var rng = new Random(1300 + seed);
        var a = RandomGraphs.Dag(rng, 4, 7, 2, acceptor: false);
        var b = RandomGraphs.Dag(rng, 4, 7, 2, acceptor: false);
        var c = RandomGraphs.Dag(rng, 4, 6, 2, acceptor: false);
        var d = RandomGraphs.Dag(rng, 3, 5, 2, acceptor: true);
        Graph Build() => GraphOps.TopologicalSort(GraphOps.Concat(GraphOps.Union(GraphOps.Compose(a, b), GraphOps.Project(c, ProjectSide.Output)), GraphOps.ArcSort(d)));
        var chain = Build();
        var forward = GraphOps.Forward(chain);
        if (!forward.HasPath)
        {
            return;
        }
        var gradients = Gradients.Backward(chain, forward.ArcPosteriors);
        foreach (var leaf in new[] { a, b, c, d })
        {
            var analytic = gradients.Of(leaf);
            for (var arc = 0; arc < leaf.ArcCount; arc++)
            {
                var numeric = BruteForce.FiniteDifference(leaf, arc, () => GraphOps.ForwardScore(Build()));
                Assert.Equal(numeric, analytic[arc], 6);
            }
        }
    }

    [Fact]
    public void A_graph_composed_with_itself_gets_both_gradient_shares()
    {
        var graph = new Graph();
        var s = graph.AddState(start: true);
        var t = graph.AddState(accept: true);
        graph.AddArc(s, t, 0, 0, 0.5);
        graph.AddArc(s, t, 0, 0, -0.5);
        var composed = GraphOps.Compose(graph, graph);
        var forward = GraphOps.Forward(composed);
        var gradient = Gradients.Backward(composed, forward.ArcPosteriors).Of(graph);
        for (var a = 0; a < graph.ArcCount; a++)
        {
            var numeric = BruteForce.FiniteDifference(graph, a, () => GraphOps.ForwardScore(GraphOps.Compose(graph, graph)));
            Assert.Equal(numeric, gradient[a], 6);
        }
        Assert.Equal(2.0, gradient.Sum(), 9);
    }

    [Fact]
    public void Backward_rejects_a_graph_outside_the_origin_chain_and_a_wrong_length()
    {
        var graph = new Graph();
        graph.AddArc(graph.AddState(start: true), graph.AddState(accept: true), 0, 0.0);
        var projected = GraphOps.Project(graph);
        var set = Gradients.Backward(projected, [1.0]);
        Assert.True(set.Contains(graph));
        Assert.Equal([1.0], set.Of(graph));
        Assert.Throws<ArgumentException>(() => set.Of(new Graph()));
        Assert.Throws<ArgumentException>(() => Gradients.Backward(projected, [1.0, 2.0]));
        projected.Detach();
        Assert.False(Gradients.Backward(projected, [1.0]).Contains(graph));
    }
}
