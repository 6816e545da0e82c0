using System.ComponentModel;
using StreamSeq.Text.Tokenizers;

namespace StreamSeq.Text.Stages;

/// <summary>Text and its token ids, as <c>text.tokenize</c> emits them.</summary>
/// <param name="Text">The input text.</param>
/// <param name="Ids">Token ids (the tokenizer's vocabulary; specials at 0..3).</param>
/// <param name="Tokens">The token strings of <paramref name="Ids"/>.</param>
public sealed record TokenizedText(string Text, int[] Ids, string[] Tokens)
{
    /// <inheritdoc />
    public override string ToString() => $"{Ids.Length} tokens: {string.Join(' ', Tokens)}";
}

/// <summary>Options of <c>text.tokenize</c>.</summary>
public sealed class TokenizeOptions
{
    [Description("Tokenizer JSON file (char, word or BPE) written by TextTokenizer.Save")]
    [RequiredOption]
    [PathMustExist]
    public string Tokenizer { get; init; } = "";

    [Description("Start each sequence with the BOS token")]
    public bool AddBos { get; init; }

    [Description("End each sequence with the EOS token")]
    public bool AddEos { get; init; }
}

/// <summary>Turns each line of text into token ids with a saved character, word or BPE tokenizer.</summary>
[Stage("text.tokenize", Description = "Token ids of text with a saved char/word/BPE tokenizer", Stateless = true)]
public sealed class TokenizeStage : MapStage<string, TokenizedText>
{
    private readonly TokenizeOptions _options;
    private TextTokenizer? _tokenizer;

    /// <summary>Creates the stage.</summary>
    public TokenizeStage(TokenizeOptions options) => _options = options;

    /// <inheritdoc />
    public override ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
    {
        _tokenizer = TextTokenizer.Load(context.ResolvePath(_options.Tokenizer));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override TokenizedText Map(in Packet<string> input)
    {
        var tokenizer = _tokenizer ?? throw new InvalidOperationException("text.tokenize used before it started");
        var ids = tokenizer.Encode(input.Payload, _options.AddBos, _options.AddEos);
        return new TokenizedText(input.Payload, ids, [.. ids.Select(tokenizer.TokenOf)]);
    }
}
