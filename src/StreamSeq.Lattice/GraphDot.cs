using System.Globalization;
using System.Text;

namespace StreamSeq.Lattice;

/// <summary>Graphviz DOT export: states as circles (start states bold, accepting states double circles labelled
/// "state/final weight"), arcs labelled "input:output/weight" ("label/weight" on acceptors, ε for epsilon).</summary>
public static class GraphDot
{
    /// <summary>The graph in DOT.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="symbols">Optional label names (e.g. characters); labels print as numbers otherwise.</param>
    /// <returns>A <c>digraph</c> that <c>dot -Tsvg</c> renders left to right.</returns>
    public static string ToDot(Graph graph, Func<int, string>? symbols = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var text = new StringBuilder();
        text.Append("digraph lattice {\n  rankdir=LR;\n  node [shape=circle];\n");
        for (var s = 0; s < graph.StateCount; s++)
        {
            var accept = graph.IsAccept(s);
            text.Append("  ").Append(s.ToString(CultureInfo.InvariantCulture)).Append(" [");
            text.Append(accept ? "shape=doublecircle, label=\"" + s.ToString(CultureInfo.InvariantCulture) + "/" + Number(graph.FinalWeights[s]) + "\"" : "label=\"" + s.ToString(CultureInfo.InvariantCulture) + "\"");
            if (graph.IsStart(s))
            {
                text.Append(", penwidth=2");
            }
            text.Append("];\n");
        }
        var arcs = graph.Arcs;
        var weights = graph.Weights;
        for (var a = 0; a < arcs.Length; a++)
        {
            var arc = arcs[a];
            var label = graph.IsAcceptor ? Symbol(arc.Input, symbols) : Symbol(arc.Input, symbols) + ":" + Symbol(arc.Output, symbols);
            text.Append("  ").Append(arc.Source.ToString(CultureInfo.InvariantCulture)).Append(" -> ")
                .Append(arc.Target.ToString(CultureInfo.InvariantCulture)).Append(" [label=\"")
                .Append(Escape(label)).Append('/').Append(Number(weights[a])).Append("\"];\n");
        }
        text.Append("}\n");
        return text.ToString();
    }

    private static string Symbol(int label, Func<int, string>? symbols) =>
        label == Graph.Epsilon ? "ε" : symbols is null ? label.ToString(CultureInfo.InvariantCulture) : symbols(label);

    private static string Number(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
