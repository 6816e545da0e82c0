using StreamSeq.Lattice.Tests.Support;

namespace StreamSeq.Lattice.Tests;

/// <summary>CTC through the lattice library against a direct dynamic-programming CTC, and decoding.</summary>
public sealed class CtcTests
{
    /// <summary>The textbook CTC forward recursion over the blank-extended label sequence, on log-softmax scores.</summary>
    private static double DirectCtcLoss(double[] scores, int frames, int labelCount, int[] labels, int blank)
    {
        var logProbs = new double[scores.Length];
        for (var t = 0; t < frames; t++)
        {
            var row = scores.AsSpan(t * labelCount, labelCount);
            var lse = BruteForce.LogSumExp(row.ToArray());
            for (var v = 0; v < labelCount; v++)
            {
                logProbs[t * labelCount + v] = row[v] - lse;
            }
        }
        var extended = new int[2 * labels.Length + 1];
        for (var k = 0; k < extended.Length; k++)
        {
            extended[k] = k % 2 == 0 ? blank : labels[k / 2];
        }
        if (frames == 0)
        {
            return labels.Length == 0 ? 0.0 : double.PositiveInfinity;
        }
        var alpha = new double[extended.Length];
        Array.Fill(alpha, double.NegativeInfinity);
        alpha[0] = logProbs[extended[0]];
        if (extended.Length > 1)
        {
            alpha[1] = logProbs[extended[1]];
        }
        for (var t = 1; t < frames; t++)
        {
            var next = new double[extended.Length];
            for (var k = 0; k < extended.Length; k++)
            {
                var terms = new List<double> { alpha[k] };
                if (k >= 1)
                {
                    terms.Add(alpha[k - 1]);
                }
                if (k >= 2 && extended[k] != blank && extended[k] != extended[k - 2])
                {
                    terms.Add(alpha[k - 2]);
                }
                next[k] = BruteForce.LogSumExp(terms) + logProbs[t * labelCount + extended[k]];
            }
            alpha = next;
        }
        var end = extended.Length > 1
            ? BruteForce.LogSumExp([alpha[^1], alpha[^2]])
            : alpha[^1];
        return -end;
    }

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 0; seed < 30; seed++)
        {
            data.Add(seed);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Ctc_loss_through_the_lattice_equals_the_direct_recursion(int seed)
    {
        var rng = new Random(seed);
        var frames = rng.Next(1, 12);
        var labelCount = rng.Next(2, 6);
        var blank = rng.Next(labelCount);
        // Few distinct labels so repeats (which need a blank between them) are common.
        var labels = RandomGraphs.Labels(rng, rng.Next(0, Math.Min(5, frames) + 1), labelCount, blank);
        var scores = RandomGraphs.Emissions(rng, frames, labelCount);
        var expected = DirectCtcLoss(scores, frames, labelCount, labels, blank);
        var loss = Ctc.Loss(scores, frames, labelCount, labels, blank);
        if (double.IsPositiveInfinity(expected))
        {
            Assert.Equal(double.PositiveInfinity, loss.Loss);
            Assert.NotNull(loss.NoPathReason);
            return;
        }
        Assert.Null(loss.NoPathReason);
        Assert.Equal(expected, loss.Loss, 9);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Ctc_gradient_matches_finite_differences(int seed)
    {
        var rng = new Random(100 + seed);
        const int frames = 7;
        const int labelCount = 4;
        var labels = RandomGraphs.Labels(rng, rng.Next(1, 4), labelCount, blank: 0);
        var scores = RandomGraphs.Emissions(rng, frames, labelCount);
        var loss = Ctc.Loss(scores, frames, labelCount, labels, 0);
        for (var i = 0; i < scores.Length; i++)
        {
            var original = scores[i];
            scores[i] = original + 1e-5;
            var up = Ctc.Loss(scores, frames, labelCount, labels, 0).Loss;
            scores[i] = original - 1e-5;
            var down = Ctc.Loss(scores, frames, labelCount, labels, 0).Loss;
            scores[i] = original;
            Assert.Equal((up - down) / 2e-5, loss.Gradient[i], 6);
        }
        // Softmax minus posteriors: each frame's gradient sums to zero.
        for (var t = 0; t < frames; t++)
        {
            Assert.Equal(0.0, loss.Gradient.AsSpan(t * labelCount, labelCount).ToArray().Sum(), 9);
        }
    }

    [Fact]
    public void Too_few_frames_is_an_infinite_loss_with_a_reason_not_an_exception()
    {
        // "1 1" needs three frames (1, blank, 1); two are not enough.
        var scores = new double[2 * 3];
        var loss = Ctc.Loss(scores, 2, 3, [1, 1], 0);
        Assert.Equal(double.PositiveInfinity, loss.Loss);
        Assert.Contains("no CTC alignment of 2 labels in 2 frames", loss.NoPathReason);
        Assert.All(loss.Gradient, g => Assert.Equal(0.0, g));
        Assert.True(double.IsFinite(Ctc.Loss(new double[3 * 3], 3, 3, [1, 1], 0).Loss));
    }

    [Fact]
    public void Target_graph_accepts_exactly_the_alignments_that_collapse_to_the_labels()
    {
        int[] labels = [1, 1, 2];
        const int blank = 0;
        var target = Ctc.Target(labels, blank);
        // Every frame-label string of length 5 over {0, 1, 2}: accepted iff it collapses to 1 1 2.
        for (var code = 0; code < 243; code++)
        {
            var frame = new int[5];
            var c = code;
            for (var t = 0; t < 5; t++)
            {
                frame[t] = c % 3;
                c /= 3;
            }
            var line = new Graph();
            line.AddStates(6);
            line.SetStart(0);
            line.SetFinal(5);
            for (var t = 0; t < 5; t++)
            {
                line.AddArc(t, t + 1, frame[t]);
            }
            var accepted = GraphOps.Viterbi(GraphOps.Intersect(line, target)).HasPath;
            Assert.Equal(Ctc.Collapse(frame, blank).SequenceEqual(labels), accepted);
        }
    }

    [Fact]
    public void Target_rejects_the_blank_as_a_label()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Ctc.Target([1, 0], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ctc.Loss(new double[6], 2, 3, [4], 0));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Viterbi_decoding_through_the_topology_equals_greedy_decoding(int seed)
    {
        var rng = new Random(200 + seed);
        var frames = rng.Next(1, 25);
        var labelCount = rng.Next(2, 7);
        var blank = rng.Next(labelCount);
        var scores = RandomGraphs.Emissions(rng, frames, labelCount);
        var topology = Ctc.Topology(labelCount, blank);
        var decoded = Ctc.ViterbiDecode(scores, frames, labelCount, topology);
        Assert.True(decoded.HasPath);
        Assert.Equal(Ctc.GreedyDecode(scores, frames, labelCount, blank), decoded.Path.Output);
        // The topology is deterministic and total: emissions ∘ topology sums every frame-label string once.
        var composed = GraphOps.Compose(Emissions.ToGraph(scores, frames, labelCount), topology);
        Assert.Equal(Emissions.LogNormalizer(scores, frames, labelCount), GraphOps.ForwardScore(composed), 9);
    }

    [Fact]
    public void Collapse_merges_repeats_and_drops_blanks()
    {
        Assert.Equal([1, 2, 1, 3], Ctc.Collapse([0, 1, 1, 2, 0, 0, 1, 3, 3, 0], 0));
        Assert.Equal([1, 1], Ctc.Collapse([1, 0, 1], 0));
        Assert.Empty(Ctc.Collapse([0, 0], 0));
    }

    [Fact]
    public void A_grammar_on_the_output_side_constrains_decoding()
    {
        // Scores that greedily read "2", but a grammar accepting only "1" forces "1".
        const int labelCount = 3;
        double[] scores = [-5, -5, 0, -5, -5, 0, -1, -5, -3];
        var grammar = new Graph();
        var s = grammar.AddState(start: true);
        var t = grammar.AddState(accept: true);
        grammar.AddArc(s, t, 1);
        Assert.Equal([2], Ctc.GreedyDecode(scores, 3, labelCount, 0));
        var constrained = GraphOps.Compose(Ctc.Topology(labelCount, 0), grammar);
        var decoded = Ctc.ViterbiDecode(scores, 3, labelCount, constrained);
        Assert.Equal([1], decoded.Path.Output);
    }
}
