using StreamSeq.Lattice.Tests.Support;

namespace StreamSeq.Lattice.Tests;

/// <summary>Score-vector binding (<see cref="ScoredGraph"/>) and the forward and margin sequence losses, checked
/// against finite differences and against CTC.</summary>
public sealed class SequenceLossTests
{
    private const int Characters = 3;

    /// <summary>A small OCR-style segmentation lattice over 4 cut points: an arc per (span of 1–2 cells,
    /// character), each reading the score of its (span, character) pair; spans of two cells carry a base penalty.</summary>
    private static (ScoredGraph Lattice, int ScoreCount) Segmentation()
    {
        var graph = new Graph();
        graph.AddStates(4);
        graph.SetStart(0);
        graph.SetFinal(3);
        var index = new List<int>();
        var span = 0;
        for (var from = 0; from < 3; from++)
        {
            for (var to = from + 1; to <= Math.Min(3, from + 2); to++, span++)
            {
                for (var c = 0; c < Characters; c++)
                {
                    graph.AddArc(from, to, c, to - from == 2 ? -0.3 : 0.0);
                    index.Add(span * Characters + c);
                }
            }
        }
        return (new ScoredGraph(graph, index.ToArray(), span * Characters), span * Characters);
    }

    private static Graph Word(params int[] characters)
    {
        var word = new Graph();
        word.AddStates(characters.Length + 1);
        word.SetStart(0);
        word.SetFinal(characters.Length);
        for (var i = 0; i < characters.Length; i++)
        {
            word.AddArc(i, i + 1, characters[i]);
        }
        return word;
    }

    [Fact]
    public void Scores_load_onto_arcs_over_their_base_weights()
    {
        var (lattice, count) = Segmentation();
        var scores = Enumerable.Range(0, count).Select(i => (float)(i * 0.5)).ToArray();
        lattice.SetScores(scores);
        for (var a = 0; a < lattice.Graph.ArcCount; a++)
        {
            var arc = lattice.Graph.Arcs[a];
            var expected = scores[lattice.ScoreIndex[a]] + (arc.Target - arc.Source == 2 ? -0.3 : 0.0);
            Assert.Equal(expected, lattice.Graph.Weights[a], 6);
        }
        Assert.Throws<ArgumentException>(() => lattice.SetScores(new double[count + 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScoredGraph(lattice.Graph, Enumerable.Repeat(count, lattice.Graph.ArcCount).ToArray(), count));
        Assert.Throws<ArgumentException>(() => new ScoredGraph(lattice.Graph, [0], count));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Forward_loss_gradient_over_the_score_vector_matches_finite_differences(int seed)
    {
        var rng = new Random(seed);
        var (lattice, count) = Segmentation();
        var scores = RandomGraphs.Emissions(rng, 1, count);
        var answer = Word(1, 2);
        double Loss()
        {
            lattice.SetScores(scores);
            return SequenceLoss.Forward(lattice.Graph, GraphOps.Intersect(lattice.Graph, answer), lattice.Graph).Loss;
        }
        lattice.SetScores(scores);
        var result = SequenceLoss.Forward(lattice.Graph, GraphOps.Intersect(lattice.Graph, answer), lattice.Graph);
        Assert.Null(result.NoPathReason);
        Assert.True(result.Loss > 0);
        var gradient = lattice.ScoreGradient(result.Gradient);
        for (var i = 0; i < count; i++)
        {
            var original = scores[i];
            scores[i] = original + 1e-5;
            var up = Loss();
            scores[i] = original - 1e-5;
            var down = Loss();
            scores[i] = original;
            Assert.Equal((up - down) / 2e-5, gradient[i], 6);
        }
    }

    [Fact]
    public void Forward_loss_over_emissions_and_a_ctc_target_is_the_ctc_loss()
    {
        var rng = new Random(9);
        const int frames = 9;
        const int labels = 4;
        var scores = RandomGraphs.Emissions(rng, frames, labels);
        int[] target = [2, 2, 1];
        var emissions = Emissions.ToGraph(scores, frames, labels);
        var result = SequenceLoss.Forward(emissions, GraphOps.Intersect(emissions, Ctc.Target(target, 0)), emissions);
        var ctc = Ctc.Loss(scores, frames, labels, target, 0);
        Assert.Equal(ctc.Loss, result.Loss, 9);
        for (var i = 0; i < scores.Length; i++)
        {
            Assert.Equal(ctc.Gradient[i], result.Gradient[i], 9);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Margin_loss_gradient_matches_finite_differences_while_violated(int seed)
    {
        var rng = new Random(seed);
        var (lattice, count) = Segmentation();
        var scores = RandomGraphs.Emissions(rng, 1, count);
        var answer = Word(0, 1);
        // Competitors: every reading but the answer (two characters or three).
        var wrong = GraphOps.Union(Word(0, 0), Word(0, 2), Word(1, 0), Word(1, 1), Word(1, 2), Word(2, 0), Word(2, 1), Word(2, 2),
            GraphOps.Concat(Word(0), Word(0), Word(0)), GraphOps.Concat(Word(1), Word(2), Word(0)));
        SequenceLossResult Evaluate(double margin)
        {
            lattice.SetScores(scores);
            return SequenceLoss.Margin(lattice.Graph, GraphOps.Intersect(lattice.Graph, answer), GraphOps.Intersect(lattice.Graph, wrong), margin);
        }
        var violated = Evaluate(100.0);
        Assert.True(violated.Loss > 0);
        var gradient = lattice.ScoreGradient(violated.Gradient);
        for (var i = 0; i < count; i++)
        {
            var original = scores[i];
            scores[i] = original + 1e-6;
            var up = Evaluate(100.0).Loss;
            scores[i] = original - 1e-6;
            var down = Evaluate(100.0).Loss;
            scores[i] = original;
            Assert.Equal((up - down) / 2e-6, gradient[i], 5);
        }
        // A margin already met costs nothing.
        var met = Evaluate(0.0);
        if (met.Loss == 0)
        {
            Assert.All(met.Gradient, g => Assert.Equal(0.0, g));
        }
        var gap = GraphOps.ViterbiScore(GraphOps.Intersect(lattice.Graph, answer)) - GraphOps.ViterbiScore(GraphOps.Intersect(lattice.Graph, wrong));
        Assert.Equal(Math.Max(0.0, -gap), met.Loss, 9);
    }

    [Fact]
    public void Losses_without_a_correct_path_are_infinite_with_a_reason_and_a_foreign_leaf_is_an_error()
    {
        var (lattice, count) = Segmentation();
        lattice.SetScores(new double[count]);
        var impossible = GraphOps.Intersect(lattice.Graph, Word(0, 1, 2, 0));
        var forward = SequenceLoss.Forward(lattice.Graph, impossible, lattice.Graph);
        Assert.Equal(double.PositiveInfinity, forward.Loss);
        Assert.StartsWith("no correct path: ", forward.NoPathReason);
        Assert.All(forward.Gradient, g => Assert.Equal(0.0, g));
        var margin = SequenceLoss.Margin(lattice.Graph, impossible, lattice.Graph, 1.0);
        Assert.Equal(double.PositiveInfinity, margin.Loss);
        Assert.Throws<ArgumentException>(() => SequenceLoss.Forward(Word(1), GraphOps.Intersect(lattice.Graph, Word(1, 2)), lattice.Graph));
    }
}
