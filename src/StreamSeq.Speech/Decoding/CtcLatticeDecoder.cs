using StreamSeq.Lattice;

namespace StreamSeq.Speech.Decoding;

/// <summary>
/// CTC through the lattice library: emissions ∘ CTC topology (∘ a grammar acceptor over tokens) is the lattice
/// of every transcription the model can give (the grammar allows), for rescoring or export; its Viterbi path
/// is the best alignment, whose collapsed labels are the transcription.
/// </summary>
public sealed class CtcLatticeDecoder
{
    private readonly Graph _decodingGraph;
    private readonly int _classes;
    private readonly int _blank;

    /// <param name="classes">Output classes, blank included.</param>
    /// <param name="grammar">An acceptor over token ids, or null for no constraint.</param>
    /// <param name="blank">The blank class.</param>
    public CtcLatticeDecoder(int classes, Graph? grammar = null, int blank = 0)
    {
        _classes = classes;
        _blank = blank;
        HasGrammar = grammar is not null;
        var topology = GraphOps.ArcSort(Ctc.Topology(classes, blank), ProjectSide.Output);
        _decodingGraph = grammar is null ? topology : GraphOps.Compose(topology, GraphOps.ArcSort(grammar));
    }

    /// <summary>Whether a grammar constrains the output.</summary>
    public bool HasGrammar { get; }

    /// <summary>The lattice of T×C log-probabilities: input side frame labels, output side tokens.</summary>
    public Graph Lattice(ReadOnlySpan<float> logProbs, int frames)
    {
        CtcPrefixBeamSearch.CheckShape(logProbs, frames, _classes);
        return GraphOps.Compose(Emissions.ToGraph(logProbs, frames, _classes), _decodingGraph);
    }

    /// <summary>The best alignment's transcription, or the reason there is none (the grammar allows nothing that fits).</summary>
    public (Hypothesis? Best, string? NoPath) Decode(ReadOnlySpan<float> logProbs, int frames)
    {
        var result = GraphOps.Viterbi(Lattice(logProbs, frames));
        if (!result.HasPath)
        {
            return (null, HasGrammar ? $"no transcription the grammar allows fits the audio ({result.NoPathReason})" : result.NoPathReason);
        }
        var hits = new List<TokenHit>();
        var previous = _blank;
        var t = 0;
        foreach (var label in result.Path.Input)
        {
            var p = Math.Exp(logProbs[(t * _classes) + label]);
            if (label != _blank)
            {
                if (label != previous)
                {
                    hits.Add(new TokenHit(label, t, p));
                }
                else if (p > hits[^1].Probability)
                {
                    hits[^1] = hits[^1] with { Probability = p };
                }
            }
            previous = label;
            t++;
        }
        return (new Hypothesis(hits, result.Score, result.Score), null);
    }
}
