using StreamSeq.Lattice.Tests.Support;

namespace StreamSeq.Lattice.Tests;

/// <summary>Forward, Viterbi and n-best against brute-force enumeration on random DAGs, and their gradients
/// against finite differences.</summary>
public sealed class ScoringTests
{
    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 0; seed < 40; seed++)
        {
            data.Add(seed);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Forward_score_is_the_log_sum_exp_of_all_enumerated_paths(int seed)
    {
        var rng = new Random(seed);
        for (var round = 0; round < 10; round++)
        {
            var graph = RandomGraphs.Dag(rng, rng.Next(2, 8), rng.Next(1, 16), 3, acceptor: rng.Next(2) == 0);
            var paths = BruteForce.Paths(graph);
            var expected = BruteForce.LogSumExp(paths.Select(p => p.Score));
            var result = GraphOps.Forward(graph);
            if (paths.Count == 0)
            {
                Assert.False(result.HasPath);
                Assert.Equal(double.NegativeInfinity, result.Score);
                Assert.NotNull(result.NoPathReason);
                Assert.All(result.ArcPosteriors!, p => Assert.Equal(0.0, p));
                continue;
            }
            Assert.True(result.HasPath);
            Assert.Equal(expected, result.Score, 9);
            Assert.Equal(expected, GraphOps.ForwardScore(graph), 9);
            // Posterior of an arc = Σ over paths using it of P(path).
            for (var a = 0; a < graph.ArcCount; a++)
            {
                var posterior = paths.Where(p => p.Arcs.Contains(a)).Sum(p => Math.Exp(p.Score - expected));
                Assert.Equal(posterior, result.ArcPosteriors![a], 9);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Forward_gradient_matches_finite_differences(int seed)
    {
        var rng = new Random(1000 + seed);
        var graph = RandomGraphs.Dag(rng, rng.Next(3, 8), rng.Next(3, 16), 3, acceptor: false);
        var result = GraphOps.Forward(graph);
        if (!result.HasPath)
        {
            return;
        }
        for (var a = 0; a < graph.ArcCount; a++)
        {
            var numeric = BruteForce.FiniteDifference(graph, a, () => GraphOps.ForwardScore(graph));
            Assert.Equal(numeric, result.ArcPosteriors![a], 6);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Viterbi_finds_the_best_enumerated_path_and_its_gradient_is_the_path_indicator(int seed)
    {
        var rng = new Random(2000 + seed);
        for (var round = 0; round < 10; round++)
        {
            var graph = RandomGraphs.Dag(rng, rng.Next(2, 8), rng.Next(1, 16), 3, acceptor: rng.Next(2) == 0);
            var paths = BruteForce.Paths(graph);
            var result = GraphOps.Viterbi(graph);
            if (paths.Count == 0)
            {
                Assert.False(result.HasPath);
                Assert.Same(LatticePath.None, result.Path);
                Assert.Equal(double.NegativeInfinity, GraphOps.ViterbiScore(graph));
                continue;
            }
            var best = paths.MaxBy(p => p.Score)!;
            Assert.Equal(best.Score, result.Score, 9);
            Assert.Equal(best.Arcs, result.Path.Arcs);
            Assert.Equal(best.Input, result.Path.Input);
            Assert.Equal(best.Output, result.Path.Output);
            var gradient = result.ArcGradient();
            for (var a = 0; a < graph.ArcCount; a++)
            {
                Assert.Equal(best.Arcs.Contains(a) ? 1.0 : 0.0, gradient[a]);
                var numeric = BruteForce.FiniteDifference(graph, a, () => GraphOps.ViterbiScore(graph), 1e-7);
                Assert.Equal(gradient[a], numeric, 5);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void NBest_lists_the_best_enumerated_paths_in_order(int seed)
    {
        var rng = new Random(3000 + seed);
        for (var round = 0; round < 10; round++)
        {
            var graph = RandomGraphs.Dag(rng, rng.Next(2, 8), rng.Next(1, 18), 3, acceptor: rng.Next(2) == 0);
            var paths = BruteForce.Paths(graph).OrderByDescending(p => p.Score).ToList();
            var n = rng.Next(1, paths.Count + 3);
            var best = GraphOps.NBest(graph, n);
            Assert.Equal(Math.Min(n, paths.Count), best.Count);
            for (var i = 0; i < best.Count; i++)
            {
                Assert.Equal(paths[i].Score, best[i].Score, 9);
                Assert.Equal(paths[i].Arcs, best[i].Arcs);
                Assert.Equal(paths[i].Input, best[i].Input);
            }
        }
    }

    [Fact]
    public void Scores_of_graphs_without_an_accepting_path_are_minus_infinity_with_a_reason()
    {
        var empty = new Graph();
        Assert.StartsWith("the graph has no states", GraphOps.Forward(empty).NoPathReason);

        var noStart = new Graph();
        noStart.AddState(accept: true);
        Assert.Equal("the graph has no start state", GraphOps.Viterbi(noStart).NoPathReason);

        var noAccept = new Graph();
        noAccept.AddArc(noAccept.AddState(start: true), noAccept.AddState(), 0, 1.0);
        Assert.Equal("the graph has no accepting state", GraphOps.Forward(noAccept).NoPathReason);

        var unreachable = new Graph();
        var s = unreachable.AddState(start: true);
        var t = unreachable.AddState(accept: true);
        unreachable.AddState();
        unreachable.AddArc(t, s, 0, 0.0);
        var forward = GraphOps.Forward(unreachable);
        Assert.False(forward.HasPath);
        Assert.Equal(double.NegativeInfinity, forward.Score);
        Assert.Contains("reachable", forward.NoPathReason);
        Assert.Equal([0.0], forward.ArcPosteriors!);
        var viterbi = GraphOps.Viterbi(unreachable);
        Assert.False(viterbi.HasPath);
        Assert.Empty(viterbi.Path.Arcs);
        Assert.Empty(GraphOps.NBest(unreachable, 3));

        var blocked = new Graph();
        blocked.AddArc(blocked.AddState(start: true), blocked.AddState(accept: true), 0, double.NegativeInfinity);
        Assert.False(GraphOps.Forward(blocked).HasPath);
        Assert.False(GraphOps.Viterbi(blocked).HasPath);
    }

    [Fact]
    public void Operations_that_need_a_DAG_name_themselves_and_a_state_on_the_cycle()
    {
        var graph = new Graph();
        var a = graph.AddState(start: true);
        var b = graph.AddState();
        var c = graph.AddState(accept: true);
        var d = graph.AddState();
        graph.AddArc(a, b, 0);
        graph.AddArc(b, c, 1);
        graph.AddArc(c, b, 2);
        graph.AddArc(c, d, 2);
        Assert.False(graph.IsAcyclic);
        var forward = Assert.Throws<GraphCycleException>(() => GraphOps.Forward(graph));
        Assert.Equal("forward score", forward.Operation);
        Assert.Contains(forward.State, new[] { b, c });
        Assert.Contains("'forward score' needs an acyclic graph", forward.Message);
        Assert.Equal("viterbi", Assert.Throws<GraphCycleException>(() => GraphOps.Viterbi(graph)).Operation);
        Assert.Equal("n-best paths", Assert.Throws<GraphCycleException>(() => GraphOps.NBest(graph, 2)).Operation);
        Assert.Equal("topological sort", Assert.Throws<GraphCycleException>(() => GraphOps.TopologicalSort(graph)).Operation);

        var selfLoop = new Graph();
        var only = selfLoop.AddState(start: true, accept: true);
        selfLoop.AddArc(only, only, 0);
        Assert.Equal(only, Assert.Throws<GraphCycleException>(() => GraphOps.ForwardScore(selfLoop)).State);
    }

    [Fact]
    public void Forward_does_not_underflow_on_long_graphs()
    {
        // 20 000 frames of 5 labels at about -60 each: every path probability is far below double's range
        // (e^-1 200 000), yet the log-domain score must equal the closed form Σ_t logsumexp_v.
        var rng = new Random(7);
        const int frames = 20_000;
        const int labels = 5;
        var scores = new double[frames * labels];
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = -60 - rng.NextDouble();
        }
        var graph = Emissions.ToGraph(scores, frames, labels);
        var result = GraphOps.Forward(graph);
        Assert.True(double.IsFinite(result.Score));
        Assert.Equal(Emissions.LogNormalizer(scores, frames, labels), result.Score, 6);
        var softmax = new double[scores.Length];
        Emissions.Softmax(scores, frames, labels, softmax);
        for (var i = 0; i < scores.Length; i += 997)
        {
            // alpha + w + beta - Z subtracts log-scores near -1.2e6 whose rounding (ulp 2e-10) accumulated over
            // 20 000 frames: agreement to 1e-6 is what double precision allows here.
            Assert.Equal(softmax[i], result.ArcPosteriors![i], 6);
        }
        Assert.True(double.IsFinite(GraphOps.ViterbiScore(graph)));
    }
}
