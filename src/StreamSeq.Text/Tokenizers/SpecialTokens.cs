namespace StreamSeq.Text.Tokenizers;

/// <summary>
/// The special tokens every StreamSeq tokenizer has, always at the same ids: blank 0 (the CTC blank), BOS 1,
/// EOS 2, UNK 3. Their spellings can be changed; the ids cannot, so models and decoders can rely on them.
/// </summary>
/// <param name="Blank">The CTC blank (id 0).</param>
/// <param name="Bos">Beginning of sequence (id 1).</param>
/// <param name="Eos">End of sequence (id 2).</param>
/// <param name="Unk">Unknown token (id 3).</param>
public sealed record SpecialTokens(string Blank = "<blank>", string Bos = "<s>", string Eos = "</s>", string Unk = "<unk>")
{
    /// <summary>Id of the CTC blank.</summary>
    public const int BlankId = 0;

    /// <summary>Id of the beginning-of-sequence token.</summary>
    public const int BosId = 1;

    /// <summary>Id of the end-of-sequence token.</summary>
    public const int EosId = 2;

    /// <summary>Id of the unknown token.</summary>
    public const int UnkId = 3;

    /// <summary>Number of special tokens (the first regular id).</summary>
    public const int Count = 4;

    /// <summary>The default spellings.</summary>
    public static SpecialTokens Default { get; } = new();

    /// <summary>The spellings in id order.</summary>
    public IReadOnlyList<string> InIdOrder => [Blank, Bos, Eos, Unk];
}
