using StreamSeq.Lattice;
using StreamSeq.Ocr.Data;

namespace StreamSeq.Ocr.Model;

/// <summary>How CTC emissions are turned into text.</summary>
public enum CtcDecoder
{
    /// <summary>Best path: the arg-max class of every frame, collapsed (<see cref="Ctc.GreedyDecode"/>).</summary>
    Greedy,

    /// <summary>Viterbi over emissions ∘ CTC topology ∘ constraints through the lattice library.</summary>
    Viterbi,
}

/// <summary>
/// Decoding of a recogniser's per-frame log-probabilities through the lattice library: greedy best path, or
/// the Viterbi path of emissions ∘ CTC topology, composed on the output side with <see cref="OcrConstraints"/>
/// (a character set, a pattern, a word list, a character LM) so that only transcriptions they accept come out
/// and the LM re-ranks them; and the n best distinct transcriptions.
/// </summary>
/// <remarks>
/// The emission graph is pruned per frame to the classes within <see cref="Beam"/> (natural log) of the frame's
/// best before composing: the unconstrained best path (the per-frame arg-max) always survives, so plain Viterbi
/// reads exactly what greedy decoding reads, and the lattice stays a few arcs wide instead of V² per frame. When
/// the constraints leave no path through the pruned lattice, the full one is tried before giving up.
/// </remarks>
public sealed class CtcDecoding
{
    /// <summary>The default pruning beam (nats below each frame's best class).</summary>
    public const double DefaultBeam = 8;

    private readonly Graph _topology;

    /// <param name="alphabet">The model's alphabet.</param>
    /// <param name="decoder">Greedy or Viterbi.</param>
    /// <param name="grammar">An acceptor over classes (1-based characters) that transcriptions must match, or
    /// null; with a grammar the decoder is Viterbi.</param>
    public CtcDecoding(OcrAlphabet alphabet, CtcDecoder decoder = CtcDecoder.Greedy, Graph? grammar = null)
        : this(alphabet, decoder, grammar is null ? OcrConstraints.None : OcrConstraints.Of("grammar", grammar))
    {
    }

    /// <param name="alphabet">The model's alphabet.</param>
    /// <param name="decoder">Greedy or Viterbi (any constraint implies Viterbi).</param>
    /// <param name="constraints">Constraints composed on the output side.</param>
    /// <param name="beam">Pruning beam in nats (&gt; 0), or 0 for the full lattice.</param>
    public CtcDecoding(OcrAlphabet alphabet, CtcDecoder decoder, OcrConstraints constraints, double beam = DefaultBeam)
    {
        ArgumentNullException.ThrowIfNull(alphabet);
        ArgumentNullException.ThrowIfNull(constraints);
        ArgumentOutOfRangeException.ThrowIfNegative(beam);
        Alphabet = alphabet;
        Constraints = constraints;
        Beam = beam;
        Decoder = constraints.IsEmpty ? decoder : CtcDecoder.Viterbi;
        _topology = Ctc.Topology(alphabet.ClassCount, OcrAlphabet.Blank);
    }

    public OcrAlphabet Alphabet { get; }

    public CtcDecoder Decoder { get; }

    /// <summary>The constraints composed with the lattice.</summary>
    public OcrConstraints Constraints { get; }

    /// <summary>Pruning beam in nats (0: none).</summary>
    public double Beam { get; }

    /// <summary>Whether a grammar, word list or LM constrains the output.</summary>
    public bool HasGrammar => !Constraints.IsEmpty;

    /// <summary>A short name for reports ("greedy", "viterbi", "viterbi+grammar", "viterbi+pattern+lm"…).</summary>
    public string Name => Decoder == CtcDecoder.Greedy ? "greedy" : HasGrammar ? "viterbi+" + Constraints.Name : "viterbi";

    /// <summary>An acceptor of any non-empty string over <paramref name="allowed"/> characters.</summary>
    /// <exception cref="ArgumentException">A character is not in the alphabet.</exception>
    public static Graph CharacterSetGrammar(OcrAlphabet alphabet, string allowed)
    {
        var graph = new Graph();
        var start = graph.AddState(start: true);
        var inside = graph.AddState(accept: true);
        foreach (var c in allowed.Distinct().OrderBy(c => alphabet.ClassOf(c)))
        {
            var label = alphabet.ClassOf(c);
            if (label < 0)
            {
                throw new ArgumentException($"the grammar's character '{c}' is not in the model's alphabet", nameof(allowed));
            }
            graph.AddArc(start, inside, label);
        }
        foreach (var c in allowed.Distinct().OrderBy(c => alphabet.ClassOf(c)))
        {
            graph.AddArc(inside, inside, alphabet.ClassOf(c));
        }
        return graph;
    }

    /// <summary>
    /// The linear acceptor of T×C log-probabilities keeping, per frame, the classes within <paramref name="beam"/>
    /// of the frame's best (all with beam 0), in class order.
    /// </summary>
    public static Graph PrunedEmissions(ReadOnlySpan<float> logProbs, int frames, int classes, double beam)
    {
        if ((long)frames * classes != logProbs.Length)
        {
            throw new ArgumentException($"emissions have {logProbs.Length} values, not {frames} × {classes}", nameof(logProbs));
        }
        if (beam <= 0)
        {
            return Emissions.ToGraph(logProbs, frames, classes);
        }
        var graph = new Graph(frames + 1, frames * 4);
        graph.AddStates(frames + 1);
        graph.SetStart(0);
        graph.SetFinal(frames);
        for (var t = 0; t < frames; t++)
        {
            var row = logProbs.Slice(t * classes, classes);
            var max = float.NegativeInfinity;
            foreach (var x in row)
            {
                max = Math.Max(max, x);
            }
            for (var v = 0; v < classes; v++)
            {
                if (row[v] >= max - beam)
                {
                    graph.AddArc(t, t + 1, v, row[v]);
                }
            }
        }
        return graph;
    }

    /// <summary>The recognition lattice of T×C log-probabilities: pruned emissions ∘ CTC topology, a transducer
    /// from frame classes (input) to characters (output; blanks and repeats write epsilon).</summary>
    /// <param name="logProbs">T×C log-probabilities, row-major.</param>
    /// <param name="frames">T.</param>
    /// <param name="beam">Pruning beam (0: the full lattice); null: <see cref="Beam"/>.</param>
    public Graph Lattice(ReadOnlySpan<float> logProbs, int frames, double? beam = null) =>
        GraphOps.Compose(PrunedEmissions(logProbs, frames, Alphabet.ClassCount, beam ?? Beam), _topology);

    /// <summary>
    /// Decodes T×C log-probabilities (row-major). Returns the class per output character and, for each, the
    /// frame range it came from; or a reason when no path exists (e.g. the grammar rules out everything).
    /// </summary>
    public (IReadOnlyList<(int Label, int FirstFrame, int LastFrame)> Chars, string? NoPath) Decode(ReadOnlySpan<float> logProbs, int frames)
    {
        var classes = Alphabet.ClassCount;
        if ((long)frames * classes != logProbs.Length)
        {
            throw new ArgumentException($"emissions have {logProbs.Length} values, not {frames} × {classes}", nameof(logProbs));
        }
        if (Decoder == CtcDecoder.Greedy)
        {
            var frameLabels = new int[frames];
            for (var t = 0; t < frames; t++)
            {
                var row = logProbs.Slice(t * classes, classes);
                var best = 0;
                for (var v = 1; v < classes; v++)
                {
                    if (row[v] > row[best])
                    {
                        best = v;
                    }
                }
                frameLabels[t] = best;
            }
            return (Spans(frameLabels), null);
        }
        var (constrained, noPath) = Search(logProbs, frames);
        if (noPath is not null)
        {
            return ([], noPath);
        }
        var (arcs, _, _) = constrained!.Best();
        return (Spans(FrameLabels(constrained.Base, arcs, frames)), null);
    }

    /// <summary>The <paramref name="count"/> best distinct transcriptions (under the constraints) with their path
    /// scores, best first; empty when no path exists.</summary>
    public IReadOnlyList<Alternative> NBest(ReadOnlySpan<float> logProbs, int frames, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0 || frames == 0)
        {
            return [];
        }
        var (constrained, noPath) = Search(logProbs, frames);
        return noPath is not null ? [] : [.. constrained!.NBest(count).Select(s => new Alternative(Alphabet.Decode(s.Labels), Math.Round(s.Score, 4)))];
    }

    /// <summary>The pruned lattice under the constraints, or the full one when the pruned one has no path.</summary>
    private (ConstrainedLattice? Lattice, string? NoPath) Search(ReadOnlySpan<float> logProbs, int frames)
    {
        var constrained = ConstrainedLattice.Apply(Lattice(logProbs, frames), Constraints);
        if (GraphOps.ViterbiScore(constrained.Graph) > double.NegativeInfinity)
        {
            return (constrained, null);
        }
        if (Beam > 0)
        {
            constrained = ConstrainedLattice.Apply(Lattice(logProbs, frames, beam: 0), Constraints);
        }
        var result = GraphOps.Viterbi(constrained.Graph);
        if (!result.HasPath)
        {
            return (null, HasGrammar ? $"no transcription the {Constraints.Name} accepts fits the image ({result.NoPathReason})" : result.NoPathReason);
        }
        return (constrained, null);
    }

    /// <summary>The frame classes along a path of base-lattice arcs (arcs reading no frame left out).</summary>
    internal static int[] FrameLabels(Graph lattice, IReadOnlyList<int> baseArcs, int frames)
    {
        var labels = new List<int>(frames);
        var arcs = lattice.Arcs;
        foreach (var a in baseArcs)
        {
            if (arcs[a].Input != Graph.Epsilon)
            {
                labels.Add(arcs[a].Input);
            }
        }
        if (labels.Count != frames)
        {
            throw new InvalidOperationException($"the Viterbi path reads {labels.Count} frames of {frames}");
        }
        return [.. labels];
    }

    /// <summary>The collapsed labels of a frame labelling with the frames each came from.</summary>
    internal static List<(int Label, int FirstFrame, int LastFrame)> Spans(ReadOnlySpan<int> frameLabels)
    {
        var chars = new List<(int, int, int)>();
        var previous = OcrAlphabet.Blank;
        for (var t = 0; t < frameLabels.Length; t++)
        {
            var label = frameLabels[t];
            if (label != OcrAlphabet.Blank)
            {
                if (label != previous)
                {
                    chars.Add((label, t, t));
                }
                else
                {
                    chars[^1] = (label, chars[^1].Item2, t);
                }
            }
            previous = label;
        }
        return chars;
    }
}
