namespace StreamSeq.Speech.Decoding;

/// <summary>The decoding methods of a <see cref="Model.SpeechModel"/>.</summary>
public enum SpeechDecoder
{
    /// <summary>CTC best path.</summary>
    CtcGreedy,

    /// <summary>CTC prefix beam search, fused with the model's n-gram LM when it has one.</summary>
    CtcBeam,

    /// <summary>CTC Viterbi through the lattice under the model's grammar (its vocabulary).</summary>
    CtcGrammar,

    /// <summary>The attention decoder, arg-max token by token.</summary>
    AttentionGreedy,

    /// <summary>The attention decoder with beam search and a length penalty.</summary>
    AttentionBeam,

    /// <summary>Attention beam search whose hypotheses are rescored with their CTC probability (joint CTC/attention decoding).</summary>
    JointBeam,
}

/// <summary>How to decode.</summary>
/// <param name="Decoder">The method.</param>
/// <param name="BeamSize">Beam width (beam methods).</param>
/// <param name="NBest">Alternatives to return (beam methods).</param>
/// <param name="LmWeight">LM weight for <see cref="SpeechDecoder.CtcBeam"/>; 0 decodes without the LM.</param>
/// <param name="TokenBonus">Per-token bonus with the LM.</param>
/// <param name="LengthPenalty">α of the GNMT length penalty ((5 + |Y|) / 6)^α for attention beam search.</param>
/// <param name="CtcWeight">λ of the joint score (1 − λ)·log P_attention + λ·log P_CTC in <see cref="SpeechDecoder.JointBeam"/>.</param>
public sealed record SpeechDecoding(
    SpeechDecoder Decoder = SpeechDecoder.CtcBeam,
    int BeamSize = 8,
    int NBest = 1,
    double LmWeight = 0.5,
    double TokenBonus = 1.0,
    double LengthPenalty = 0.6,
    double CtcWeight = 0.3)
{
    /// <summary>A short name for reports: "ctc-greedy", "ctc-beam-lm", "attention-beam" and so on.</summary>
    public string Name(bool hasLm) => Decoder switch
    {
        SpeechDecoder.CtcGreedy => "ctc-greedy",
        SpeechDecoder.CtcBeam => hasLm && LmWeight > 0 ? "ctc-beam-lm" : "ctc-beam",
        SpeechDecoder.CtcGrammar => "ctc-grammar",
        SpeechDecoder.AttentionGreedy => "attention-greedy",
        SpeechDecoder.JointBeam => "joint-beam",
        _ => "attention-beam",
    };

    /// <summary>Parses "ctc-greedy", "ctc-beam", "ctc-grammar", "attention-greedy", "attention-beam", "joint-beam" (case-insensitive).</summary>
    public static SpeechDecoder ParseDecoder(string name) => name.Trim().ToLowerInvariant() switch
    {
        "ctc-greedy" or "greedy" => SpeechDecoder.CtcGreedy,
        "ctc-beam" or "beam" or "ctc-beam-lm" => SpeechDecoder.CtcBeam,
        "ctc-grammar" or "grammar" => SpeechDecoder.CtcGrammar,
        "attention-greedy" => SpeechDecoder.AttentionGreedy,
        "attention-beam" or "attention" => SpeechDecoder.AttentionBeam,
        "joint-beam" or "joint" => SpeechDecoder.JointBeam,
        _ => throw new ArgumentException($"unknown decoder '{name}' (ctc-greedy, ctc-beam, ctc-grammar, attention-greedy, attention-beam, joint-beam)"),
    };
}
