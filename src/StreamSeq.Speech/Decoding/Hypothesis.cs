namespace StreamSeq.Speech.Decoding;

/// <summary>A token a decoder emitted: its id, the encoder frame it fired on and its probability there.</summary>
/// <param name="Token">Tokenizer id.</param>
/// <param name="Frame">Encoder frame (CTC: the first frame of the token; attention: the frame it attended to most).</param>
/// <param name="Probability">The model's probability of the token at that point (0..1).</param>
public readonly record struct TokenHit(int Token, int Frame, double Probability);

/// <summary>One decoded hypothesis.</summary>
/// <param name="Tokens">The emitted tokens in order.</param>
/// <param name="Score">The decoder's ranking score (log domain; includes LM and bonuses where used).</param>
/// <param name="ModelLogProb">Log-probability under the acoustic model alone.</param>
public sealed record Hypothesis(IReadOnlyList<TokenHit> Tokens, double Score, double ModelLogProb);
