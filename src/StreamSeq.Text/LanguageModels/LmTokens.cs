using System.Globalization;

namespace StreamSeq.Text.LanguageModels;

/// <summary>Turns text into the tokens of a word or character language model.</summary>
public static class LmTokens
{
    /// <summary>How a space is written in a character model (ARPA files separate tokens by whitespace).</summary>
    public const string Space = "<sp>";

    /// <summary>Whitespace-separated words.</summary>
    public static IReadOnlyList<string> Words(string text, bool lowercase = true)
        => (lowercase ? text.ToLowerInvariant() : text).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Characters (text elements); runs of whitespace become one <see cref="Space"/>; ends trimmed.</summary>
    public static IReadOnlyList<string> Characters(string text, bool lowercase = true)
    {
        var normal = string.Join(' ', Words(text, lowercase));
        var tokens = new List<string>(normal.Length);
        var e = StringInfo.GetTextElementEnumerator(normal);
        while (e.MoveNext())
        {
            var element = e.GetTextElement();
            tokens.Add(element == " " ? Space : element);
        }
        return tokens;
    }

    /// <summary>
    /// For a decoder that fuses a tokenizer's output with a model: the model id of every tokenizer id
    /// (index = tokenizer id). The space token becomes <see cref="Space"/>, EOS the model's &lt;/s&gt;,
    /// UNK and tokens the model lacks its &lt;unk&gt;; blank and BOS, which a model never predicts, map to -1.
    /// </summary>
    public static int[] MapVocabulary(Tokenizers.TextTokenizer tokenizer, NGramModel model)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(model);
        var map = new int[tokenizer.VocabularySize];
        for (var id = 0; id < map.Length; id++)
        {
            var token = tokenizer.TokenOf(id);
            map[id] = id switch
            {
                Tokenizers.SpecialTokens.BlankId or Tokenizers.SpecialTokens.BosId => -1,
                Tokenizers.SpecialTokens.EosId => model.EndId,
                Tokenizers.SpecialTokens.UnkId => model.UnkId,
                _ => model.IdOf(token == " " ? Space : token),
            };
        }
        return map;
    }

    /// <summary>The text of character tokens (<see cref="Space"/> back to a space).</summary>
    public static string JoinCharacters(IEnumerable<string> tokens) => string.Concat(tokens.Select(t => t == Space ? " " : t));
}
