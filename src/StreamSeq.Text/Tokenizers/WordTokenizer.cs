namespace StreamSeq.Text.Tokenizers;

/// <summary>One token per whitespace-separated word; decoding joins words with single spaces.</summary>
public sealed class WordTokenizer : TextTokenizer
{
    /// <summary>Creates a tokenizer over a saved vocabulary (specials first).</summary>
    public WordTokenizer(IReadOnlyList<string> vocabulary, SpecialTokens specials, bool lowercase)
        : base(vocabulary, specials, lowercase)
    {
    }

    /// <inheritdoc />
    public override string Kind => "word";

    /// <summary>
    /// Builds the vocabulary from the words of <paramref name="corpus"/> seen at least
    /// <paramref name="minCount"/> times, most frequent first (ties in ordinal order), at most
    /// <paramref name="maxWords"/> of them (0 = all).
    /// </summary>
    public static WordTokenizer Train(IEnumerable<string> corpus, bool lowercase = true, int minCount = 1, int maxWords = 0, SpecialTokens? specials = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        specials ??= SpecialTokens.Default;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in corpus)
        {
            foreach (var word in Split(lowercase ? line.ToLowerInvariant() : line))
            {
                counts[word] = counts.GetValueOrDefault(word) + 1;
            }
        }
        var words = counts.Where(kv => kv.Value >= minCount).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key);
        if (maxWords > 0)
        {
            words = words.Take(maxWords);
        }
        return new WordTokenizer(WithSpecials(specials, words), specials, lowercase);
    }

    /// <summary>Splits text at whitespace.</summary>
    public static string[] Split(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <inheritdoc />
    protected override void EncodeCore(string text, List<int> ids)
    {
        foreach (var word in Split(text))
        {
            ids.Add(IdOf(word) ?? SpecialTokens.UnkId);
        }
    }

    /// <inheritdoc />
    protected override string DecodeCore(IReadOnlyList<string> tokens) => string.Join(' ', tokens);
}
