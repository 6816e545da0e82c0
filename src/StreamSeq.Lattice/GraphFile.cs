using System.Globalization;

namespace StreamSeq.Lattice;

/// <summary>
/// A versioned text format for graphs, exact for every weight (round-trip formatting):
/// <code>
/// streamseq-lattice 1
/// states 3 arcs 2
/// start 0
/// final 2 0
/// arc 0 1 5 5 -0.25
/// arc 1 2 -1 7 -1.5
/// </code>
/// One <c>start</c> line per start state, one <c>final STATE WEIGHT</c> per accepting state, one
/// <c>arc SOURCE TARGET INPUT OUTPUT WEIGHT</c> per arc in arc-number order (epsilon is -1, weights may be
/// <c>-inf</c>); blank lines and lines starting with '#' are ignored. Reading keeps arc numbers.
/// </summary>
public static class GraphFile
{
    /// <summary>The format's current version.</summary>
    public const int Version = 1;

    private const string Magic = "streamseq-lattice";

    /// <summary>Writes the graph to a file.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="path">Destination (overwritten).</param>
    public static void Save(Graph graph, string path)
    {
        using var writer = new StreamWriter(path);
        Write(graph, writer);
    }

    /// <summary>Reads a graph from a file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The graph.</returns>
    /// <exception cref="FormatException">The file is not a valid graph; the message names file and line.</exception>
    public static Graph Load(string path)
    {
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    /// <summary>Writes the graph in the text format.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="writer">Destination.</param>
    public static void Write(Graph graph, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(writer);
        var c = CultureInfo.InvariantCulture;
        writer.Write(Magic + " " + Version.ToString(c) + "\n");
        writer.Write("states " + graph.StateCount.ToString(c) + " arcs " + graph.ArcCount.ToString(c) + "\n");
        foreach (var s in graph.StartStates)
        {
            writer.Write("start " + s.ToString(c) + "\n");
        }
        var final = graph.FinalWeights;
        for (var s = 0; s < final.Length; s++)
        {
            if (final[s] > double.NegativeInfinity)
            {
                writer.Write("final " + s.ToString(c) + " " + Number(final[s]) + "\n");
            }
        }
        var arcs = graph.Arcs;
        var weights = graph.Weights;
        for (var a = 0; a < arcs.Length; a++)
        {
            var arc = arcs[a];
            writer.Write($"arc {arc.Source.ToString(c)} {arc.Target.ToString(c)} {arc.Input.ToString(c)} {arc.Output.ToString(c)} {Number(weights[a])}\n");
        }
    }

    /// <summary>Reads a graph in the text format.</summary>
    /// <param name="reader">Source.</param>
    /// <param name="name">Named in error messages (a file name).</param>
    /// <returns>The graph.</returns>
    /// <exception cref="FormatException">Bad header, version, counts, numbers or references; the message names
    /// <paramref name="name"/> and the line.</exception>
    public static Graph Read(TextReader reader, string name = "graph")
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lineNumber = 0;
        string? Next()
        {
            while (reader.ReadLine() is { } line)
            {
                lineNumber++;
                var trimmed = line.Trim();
                if (trimmed.Length > 0 && trimmed[0] != '#')
                {
                    return trimmed;
                }
            }
            return null;
        }
        FormatException Error(string message) => new($"{name}:{lineNumber}: {message}");

        var header = Next()?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (header is not [Magic, var versionText])
        {
            throw Error($"expected '{Magic} {Version}' as the first line");
        }
        if (!int.TryParse(versionText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var version) || version != Version)
        {
            throw Error($"format version {versionText} is not supported (this library reads version {Version})");
        }
        var counts = Next()?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (counts is not ["states", var statesText, "arcs", var arcsText]
            || !int.TryParse(statesText, NumberStyles.None, CultureInfo.InvariantCulture, out var states)
            || !int.TryParse(arcsText, NumberStyles.None, CultureInfo.InvariantCulture, out var arcCount))
        {
            throw Error("expected 'states N arcs M'");
        }
        var graph = new Graph(states, arcCount);
        graph.AddStates(states);
        var arcsRead = 0;
        while (Next() is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            try
            {
                switch (parts)
                {
                    case ["start", var s]:
                        graph.SetStart(State(s));
                        break;
                    case ["final", var s, var w]:
                        graph.SetFinal(State(s), Weight(w));
                        break;
                    case ["arc", var from, var to, var input, var output, var w]:
                        graph.AddArc(State(from), State(to), Label(input), Label(output), Weight(w));
                        arcsRead++;
                        break;
                    default:
                        throw Error($"expected a 'start', 'final' or 'arc' line, got '{line}'");
                }
            }
            catch (ArgumentException e)
            {
                throw Error(e.Message);
            }
        }
        if (arcsRead != arcCount)
        {
            throw Error($"the header announced {arcCount} arcs but {arcsRead} were read");
        }
        return graph;

        int State(string text) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s < states ? s : throw Error($"'{text}' is not a state below {states}");
        int Label(string text) =>
            int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) && l >= Graph.Epsilon ? l : throw Error($"'{text}' is not a label (>= -1)");
        double Weight(string text) =>
            text == "-inf" ? double.NegativeInfinity
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var w) && double.IsFinite(w) ? w
            : throw Error($"'{text}' is not a weight (a finite number or -inf)");
    }

    private static string Number(double value) =>
        double.IsNegativeInfinity(value) ? "-inf" : value.ToString("R", CultureInfo.InvariantCulture);
}
