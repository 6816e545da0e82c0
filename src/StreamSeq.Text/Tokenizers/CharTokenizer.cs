using System.Globalization;

namespace StreamSeq.Text.Tokenizers;

/// <summary>
/// One token per character (per text element, so a letter with combining marks stays one token); the space
/// is a token like any other, so decoding is plain concatenation. The usual choice for CTC output.
/// </summary>
public sealed class CharTokenizer : TextTokenizer
{
    /// <summary>Creates a tokenizer over a saved vocabulary (specials first).</summary>
    public CharTokenizer(IReadOnlyList<string> vocabulary, SpecialTokens specials, bool lowercase)
        : base(vocabulary, specials, lowercase)
    {
    }

    /// <inheritdoc />
    public override string Kind => "char";

    /// <summary>Builds the vocabulary from every character of <paramref name="corpus"/> (ordinal order).</summary>
    public static CharTokenizer Train(IEnumerable<string> corpus, bool lowercase = true, SpecialTokens? specials = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        specials ??= SpecialTokens.Default;
        var symbols = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in corpus)
        {
            var text = lowercase ? line.ToLowerInvariant() : line;
            var e = StringInfo.GetTextElementEnumerator(text);
            while (e.MoveNext())
            {
                symbols.Add(e.GetTextElement());
            }
        }
        return new CharTokenizer(WithSpecials(specials, symbols), specials, lowercase);
    }

    /// <summary>A tokenizer over exactly the given characters (a fixed alphabet).</summary>
    public static CharTokenizer FromAlphabet(string alphabet, bool lowercase = true, SpecialTokens? specials = null)
    {
        specials ??= SpecialTokens.Default;
        var symbols = new List<string>();
        var e = StringInfo.GetTextElementEnumerator(alphabet);
        while (e.MoveNext())
        {
            symbols.Add(e.GetTextElement());
        }
        return new CharTokenizer(WithSpecials(specials, symbols), specials, lowercase);
    }

    /// <inheritdoc />
    protected override void EncodeCore(string text, List<int> ids)
    {
        var e = StringInfo.GetTextElementEnumerator(text);
        while (e.MoveNext())
        {
            ids.Add(IdOf(e.GetTextElement()) ?? SpecialTokens.UnkId);
        }
    }

    /// <inheritdoc />
    protected override string DecodeCore(IReadOnlyList<string> tokens) => string.Concat(tokens);
}
