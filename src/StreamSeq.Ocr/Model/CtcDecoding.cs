using StreamSeq.Lattice;
using StreamSeq.Ocr.Data;

namespace StreamSeq.Ocr.Model;

/// <summary>How CTC emissions are turned into text.</summary>
public enum CtcDecoder
{
    /// <summary>Best path: the arg-max class of every frame, collapsed (<see cref="Ctc.GreedyDecode"/>).</summary>
    Greedy,

    /// <summary>Viterbi over emissions ∘ CTC topology ∘ grammar through the lattice library.</summary>
    Viterbi,
}

/// <summary>
/// Decoding of a recogniser's per-frame log-probabilities through the lattice library: greedy best path, or
/// the Viterbi path of emissions ∘ CTC topology, optionally composed with a grammar acceptor on the output
/// side (e.g. digits only) so that only transcriptions the grammar accepts can come out.
/// </summary>
public sealed class CtcDecoding
{
    private readonly Graph? _topology;

    /// <param name="alphabet">The model's alphabet.</param>
    /// <param name="decoder">Greedy or Viterbi.</param>
    /// <param name="grammar">An acceptor over classes (1-based characters) that transcriptions must match, or
    /// null; with a grammar the decoder is Viterbi.</param>
    public CtcDecoding(OcrAlphabet alphabet, CtcDecoder decoder = CtcDecoder.Greedy, Graph? grammar = null)
    {
        Alphabet = alphabet;
        Decoder = grammar is null ? decoder : CtcDecoder.Viterbi;
        HasGrammar = grammar is not null;
        if (Decoder == CtcDecoder.Viterbi)
        {
            var topology = GraphOps.ArcSort(Ctc.Topology(alphabet.ClassCount, OcrAlphabet.Blank), ProjectSide.Output);
            _topology = grammar is null ? topology : GraphOps.Compose(topology, GraphOps.ArcSort(grammar));
        }
    }

    public OcrAlphabet Alphabet { get; }

    public CtcDecoder Decoder { get; }

    /// <summary>Whether a grammar constrains the output.</summary>
    public bool HasGrammar { get; }

    /// <summary>A short name for reports ("greedy", "viterbi", "viterbi+grammar").</summary>
    public string Name => Decoder == CtcDecoder.Greedy ? "greedy" : HasGrammar ? "viterbi+grammar" : "viterbi";

    /// <summary>An acceptor of any non-empty string over <paramref name="allowed"/> characters.</summary>
    /// <exception cref="ArgumentException">A character is not in the alphabet.</exception>
    public static Graph CharacterSetGrammar(OcrAlphabet alphabet, string allowed)
    {
        var graph = new Graph();
        var start = graph.AddState(start: true);
        var inside = graph.AddState(accept: true);
        foreach (var c in allowed.Distinct())
        {
            var label = alphabet.ClassOf(c);
            if (label < 0)
            {
                throw new ArgumentException($"the grammar's character '{c}' is not in the model's alphabet", nameof(allowed));
            }
            graph.AddArc(start, inside, label);
            graph.AddArc(inside, inside, label);
        }
        return graph;
    }

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
        int[] frameLabels;
        if (Decoder == CtcDecoder.Greedy)
        {
            frameLabels = new int[frames];
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
        }
        else
        {
            var emissions = Emissions.ToGraph(logProbs, frames, classes);
            var result = GraphOps.Viterbi(GraphOps.Compose(emissions, _topology!));
            if (!result.HasPath)
            {
                return ([], HasGrammar ? $"no transcription the grammar accepts fits the image ({result.NoPathReason})" : result.NoPathReason);
            }
            frameLabels = [.. result.Path.Input];
            if (frameLabels.Length != frames)
            {
                throw new InvalidOperationException($"the Viterbi path reads {frameLabels.Length} frames of {frames}");
            }
        }
        return (Spans(frameLabels), null);
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
