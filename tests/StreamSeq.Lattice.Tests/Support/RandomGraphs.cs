namespace StreamSeq.Lattice.Tests.Support;

/// <summary>Seeded random small graphs for brute-force comparisons.</summary>
internal static class RandomGraphs
{
    /// <summary>A random DAG: arcs go forward in a hidden random order of the states (so state numbers are not a
    /// topological order), labels in [0, labels) or epsilon, 1–2 start states, 1–3 accepting states.</summary>
    public static Graph Dag(Random rng, int states, int arcs, int labels, bool acceptor, double epsilonRate = 0.2)
    {
        var graph = new Graph();
        graph.AddStates(states);
        var rank = Permutation(rng, states);
        var byRank = new int[states];
        for (var s = 0; s < states; s++)
        {
            byRank[rank[s]] = s;
        }
        for (var i = 0; i < arcs; i++)
        {
            var r1 = rng.Next(states - 1);
            var r2 = r1 + 1 + rng.Next(states - 1 - r1);
            var input = Label(rng, labels, epsilonRate);
            var output = acceptor ? input : Label(rng, labels, epsilonRate);
            graph.AddArc(byRank[r1], byRank[r2], input, output, Math.Round(rng.NextDouble() * 4 - 2, 3) + rng.NextDouble() * 1e-3);
        }
        graph.SetStart(byRank[0]);
        if (rng.Next(3) == 0)
        {
            graph.SetStart(byRank[rng.Next(states / 2)]);
        }
        graph.SetFinal(byRank[states - 1], rng.NextDouble() - 0.5);
        for (var extra = rng.Next(3); extra > 0; extra--)
        {
            graph.SetFinal(byRank[rng.Next(states / 2, states)], rng.NextDouble() - 0.5);
        }
        return graph;
    }

    /// <summary>A random emission matrix of log-scores.</summary>
    public static double[] Emissions(Random rng, int frames, int labels)
    {
        var scores = new double[frames * labels];
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = rng.NextDouble() * 6 - 4;
        }
        return scores;
    }

    public static int[] Labels(Random rng, int length, int labelCount, int blank)
    {
        var labels = new int[length];
        for (var i = 0; i < length; i++)
        {
            do
            {
                labels[i] = rng.Next(labelCount);
            }
            while (labels[i] == blank);
        }
        return labels;
    }

    private static int Label(Random rng, int labels, double epsilonRate) =>
        rng.NextDouble() < epsilonRate ? Graph.Epsilon : rng.Next(labels);

    private static int[] Permutation(Random rng, int n)
    {
        var p = new int[n];
        for (var i = 0; i < n; i++)
        {
            p[i] = i;
        }
        rng.Shuffle(p);
        return p;
    }
}
