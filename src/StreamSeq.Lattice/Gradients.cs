using System.Runtime.CompilerServices;
namespace StreamSeq.Lattice;

/// <summary>
/// Reverse-mode differentiation through graph operations. A score function (<see cref="GraphOps.Forward"/>,
/// <see cref="GraphOps.Viterbi"/>) gives d(score)/d(arc weight) for the graph it scored; <see cref="Backward"/>
/// carries such a gradient back through the <see cref="Graph.Origin"/> chain to every graph it was made from,
/// down to hand-built leaves such as an emission graph (<see cref="Emissions"/>), whose arc gradient is the
/// T×V emission gradient.
/// </summary>
public static class Gradients
{
    /// <summary>Propagates <paramref name="outputArcGradient"/> (indexed by arc of <paramref name="output"/>) back
    /// to every graph <paramref name="output"/> was made from.</summary>
    /// <param name="output">The graph whose arc gradient is known.</param>
    /// <param name="outputArcGradient">d(loss)/d(weight of arc a of <paramref name="output"/>), one per arc.</param>
    /// <returns>The arc gradient of <paramref name="output"/> and of each graph in its origin chain.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static GradientSet Backward(Graph output, ReadOnlySpan<double> outputArcGradient)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (outputArcGradient.Length != output.ArcCount)
        {
            throw new ArgumentException($"The gradient has {outputArcGradient.Length} entries but the graph has {output.ArcCount} arcs.", nameof(outputArcGradient));
        }
        // Reverse post-order of a depth-first walk over origins: a graph comes after every graph made from it,
        // so its gradient is complete before it is passed on (a graph used twice, e.g. compose(g, g), sums both).
        var order = new List<Graph>();
        var visited = new HashSet<Graph>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Graph Graph, int Next)>();
        stack.Push((output, 0));
        visited.Add(output);
        while (stack.Count > 0)
        {
            var (graph, next) = stack.Pop();
            var inputs = graph.Origin?.Inputs;
            if (inputs is not null && next < inputs.Count)
            {
                stack.Push((graph, next + 1));
                var input = inputs[next];
                if (visited.Add(input))
                {
                    stack.Push((input, 0));
                }
                continue;
            }
            order.Add(graph);
        }
        var gradients = new Dictionary<Graph, double[]>(ReferenceEqualityComparer.Instance);
        foreach (var graph in order)
        {
            gradients[graph] = new double[graph.ArcCount];
        }
        outputArcGradient.CopyTo(gradients[output]);
        for (var i = order.Count - 1; i >= 0; i--)
        {
            var graph = order[i];
            var origin = graph.Origin;
            if (origin is null)
            {
                continue;
            }
            var own = gradients[graph];
            for (var k = 0; k < origin.Inputs.Count; k++)
            {
                var target = gradients[origin.Inputs[k]];
                var sources = origin.ArcSources[k];
                for (var a = 0; a < own.Length; a++)
                {
                    var source = sources[a];
                    if (source >= 0)
                    {
                        target[source] += own[a];
                    }
                }
            }
        }
        return new GradientSet(gradients);
    }
}

/// <summary>Arc gradients of a graph and of the graphs it was made from, as returned by
/// <see cref="Gradients.Backward"/>.</summary>
public sealed class GradientSet
{
    private readonly Dictionary<Graph, double[]> _gradients;

    internal GradientSet(Dictionary<Graph, double[]> gradients) => _gradients = gradients;

    /// <summary>Whether <paramref name="graph"/> is in the origin chain (so has a gradient here).</summary>
    /// <param name="graph">A graph.</param>
    /// <returns>True when <see cref="Of"/> will answer for it.</returns>
    public bool Contains(Graph graph) => _gradients.ContainsKey(graph);

    /// <summary>d(score)/d(arc weight) of <paramref name="graph"/>, indexed by its arc numbers.</summary>
    /// <param name="graph">A graph in the origin chain.</param>
    /// <returns>The gradient array (owned by this set).</returns>
    /// <exception cref="ArgumentException">The graph is not in the origin chain (it did not contribute).</exception>
    public double[] Of(Graph graph) =>
        _gradients.TryGetValue(graph, out var gradient)
            ? gradient
            : throw new ArgumentException($"{graph} is not in the origin chain of the differentiated graph.", nameof(graph));
}
