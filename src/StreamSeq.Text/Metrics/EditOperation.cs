namespace StreamSeq.Text.Metrics;

/// <summary>What one step of an alignment does.</summary>
public enum EditKind
{
    /// <summary>The reference token and the hypothesis token are equal.</summary>
    Match,

    /// <summary>The reference token was replaced by the hypothesis token.</summary>
    Substitution,

    /// <summary>The reference token has no hypothesis token.</summary>
    Deletion,

    /// <summary>The hypothesis token has no reference token.</summary>
    Insertion,
}

/// <summary>One step of an alignment.</summary>
/// <param name="Kind">What the step does.</param>
/// <param name="Reference">Index of the reference token; -1 for an insertion.</param>
/// <param name="Hypothesis">Index of the hypothesis token; -1 for a deletion.</param>
public readonly record struct EditOperation(EditKind Kind, int Reference, int Hypothesis);
