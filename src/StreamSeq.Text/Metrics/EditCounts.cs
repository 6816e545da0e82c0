namespace StreamSeq.Text.Metrics;

/// <summary>
/// Edit counts of a hypothesis aligned to a reference (minimum Levenshtein alignment), for one pair or
/// summed over a corpus with <c>+</c>.
/// </summary>
/// <param name="Substitutions">Reference tokens replaced by another token.</param>
/// <param name="Deletions">Reference tokens missing from the hypothesis.</param>
/// <param name="Insertions">Hypothesis tokens with no reference token.</param>
/// <param name="ReferenceLength">Tokens (words or characters) in the reference.</param>
public readonly record struct EditCounts(int Substitutions, int Deletions, int Insertions, int ReferenceLength)
{
    /// <summary>Substitutions + deletions + insertions: the Levenshtein distance.</summary>
    public int Edits => Substitutions + Deletions + Insertions;

    /// <summary>Reference tokens aligned to an equal hypothesis token.</summary>
    public int Hits => ReferenceLength - Substitutions - Deletions;

    /// <summary>
    /// Error rate: <see cref="Edits"/> / <see cref="ReferenceLength"/>. An empty reference counts as one
    /// token, so an empty pair scores 0 and insertions against an empty reference score their number.
    /// </summary>
    public double Rate => Edits / (double)Math.Max(1, ReferenceLength);

    /// <summary>Sums two counts (corpus accumulation: total edits over total reference length).</summary>
    public static EditCounts operator +(EditCounts a, EditCounts b)
        => new(a.Substitutions + b.Substitutions, a.Deletions + b.Deletions, a.Insertions + b.Insertions, a.ReferenceLength + b.ReferenceLength);

    /// <summary>The same as <c>a + b</c>.</summary>
    public static EditCounts Add(EditCounts a, EditCounts b) => a + b;
}
