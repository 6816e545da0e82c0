namespace StreamSeq.Lattice;

/// <summary>How path weights combine where an operation must sum over alternative paths (epsilon removal).
/// Along a path weights always add (they are log-scores).</summary>
public enum Semiring
{
    /// <summary>Alternatives combine by log-sum-exp: the forward score of every string is preserved.</summary>
    Log,

    /// <summary>Alternatives combine by max: the Viterbi score of every string is preserved.</summary>
    Tropical,
}
