namespace StreamSeq.Text.LanguageModels;

/// <summary>
/// The context of an n-gram language model after some tokens: the longest suffix of the history that the
/// model holds as an n-gram (at most order − 1 tokens). Two hypotheses in a beam search with equal states
/// score every continuation identically, so they can be merged. A small value; compare with ==.
/// </summary>
/// <param name="Node">The model's internal node of the context (0 = the empty context).</param>
public readonly record struct LmState(int Node)
{
    /// <summary>The empty context (no history: unigram probabilities).</summary>
    public static LmState Empty => new(0);
}
