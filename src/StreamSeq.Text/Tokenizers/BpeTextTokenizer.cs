using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;

namespace StreamSeq.Text.Tokenizers;

/// <summary>
/// Byte-pair encoding over characters, with an end-of-word marker (<c>&lt;/w&gt;</c>) on each word's last
/// symbol so decoding restores the spaces. Merges are learned here (<see cref="Train"/>: the most frequent
/// adjacent pair, repeatedly; ties broken by ordinal order so training is deterministic); encoding applies
/// them with Microsoft.ML.Tokenizers' BPE model (whitespace pre-tokenizer), which has no trainer of its own.
/// </summary>
public sealed class BpeTextTokenizer : TextTokenizer
{
    /// <summary>The suffix that marks a word's last symbol.</summary>
    public const string EndOfWord = "</w>";

    private readonly BpeTokenizer _bpe;

    /// <summary>Creates a tokenizer from a saved vocabulary (specials first) and merges ("left right").</summary>
    public BpeTextTokenizer(IReadOnlyList<string> vocabulary, IReadOnlyList<string> merges, SpecialTokens specials, bool lowercase)
        : base(vocabulary, specials, lowercase)
    {
        ArgumentNullException.ThrowIfNull(merges);
        Merges = merges;
        foreach (var merge in merges)
        {
            var parts = merge.Split(' ');
            if (parts.Length != 2 || IdOf(parts[0] + parts[1]) is null)
            {
                throw new ArgumentException($"merge '{merge}' is not two symbols whose join is in the vocabulary", nameof(merges));
            }
        }
        _bpe = BpeTokenizer.Create(new BpeOptions(vocabulary.Select((t, i) => new KeyValuePair<string, int>(t, i)))
        {
            Merges = merges,
            PreTokenizer = PreTokenizer.CreateWhiteSpace(),
            UnknownToken = specials.Unk,
            EndOfWordSuffix = EndOfWord,
        });
    }

    /// <inheritdoc />
    public override string Kind => "bpe";

    /// <summary>The merges in the order they were learned ("left right").</summary>
    public IReadOnlyList<string> Merges { get; }

    /// <summary>
    /// Learns merges from <paramref name="corpus"/> until the vocabulary holds <paramref name="vocabularySize"/>
    /// tokens (specials and single characters included) or no pair occurs <paramref name="minFrequency"/> times.
    /// </summary>
    public static BpeTextTokenizer Train(IEnumerable<string> corpus, int vocabularySize, bool lowercase = true, int minFrequency = 2, SpecialTokens? specials = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        specials ??= SpecialTokens.Default;
        var wordCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in corpus)
        {
            foreach (var word in WordTokenizer.Split(lowercase ? line.ToLowerInvariant() : line))
            {
                wordCounts[word] = wordCounts.GetValueOrDefault(word) + 1;
            }
        }
        var words = wordCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (Symbols: InitialSymbols(kv.Key), Count: kv.Value)).ToList();
        var alphabet = new SortedSet<string>(words.SelectMany(w => w.Symbols), StringComparer.Ordinal);
        var vocabulary = WithSpecials(specials, alphabet);
        var merges = new List<string>();
        while (vocabulary.Count < vocabularySize)
        {
            var pairs = new Dictionary<(string, string), int>();
            foreach (var (symbols, count) in words)
            {
                for (var i = 0; i + 1 < symbols.Count; i++)
                {
                    var pair = (symbols[i], symbols[i + 1]);
                    pairs[pair] = pairs.GetValueOrDefault(pair) + count;
                }
            }
            if (pairs.Count == 0)
            {
                break;
            }
            var best = pairs.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key.Item1, StringComparer.Ordinal).ThenBy(kv => kv.Key.Item2, StringComparer.Ordinal).First();
            if (best.Value < minFrequency)
            {
                break;
            }
            var (left, right) = best.Key;
            var joined = left + right;
            merges.Add(left + " " + right);
            if (!vocabulary.Contains(joined))
            {
                vocabulary.Add(joined);
            }
            foreach (var (symbols, _) in words)
            {
                for (var i = 0; i + 1 < symbols.Count; i++)
                {
                    if (symbols[i] == left && symbols[i + 1] == right)
                    {
                        symbols[i] = joined;
                        symbols.RemoveAt(i + 1);
                    }
                }
            }
        }
        return new BpeTextTokenizer(vocabulary, merges, specials, lowercase);
    }

    /// <summary>A word's characters, the last one carrying the end-of-word marker.</summary>
    public static List<string> InitialSymbols(string word)
    {
        var symbols = new List<string>();
        var e = System.Globalization.StringInfo.GetTextElementEnumerator(word);
        while (e.MoveNext())
        {
            symbols.Add(e.GetTextElement());
        }
        if (symbols.Count > 0)
        {
            symbols[^1] += EndOfWord;
        }
        return symbols;
    }

    /// <inheritdoc />
    protected override void EncodeCore(string text, List<int> ids) => ids.AddRange(_bpe.EncodeToIds(text));

    /// <inheritdoc />
    protected override string DecodeCore(IReadOnlyList<string> tokens)
    {
        var text = new StringBuilder();
        foreach (var token in tokens)
        {
            if (token.EndsWith(EndOfWord, StringComparison.Ordinal))
            {
                text.Append(token.AsSpan(0, token.Length - EndOfWord.Length)).Append(' ');
            }
            else
            {
                text.Append(token);
            }
        }
        return text.ToString().TrimEnd(' ');
    }

    /// <inheritdoc />
    protected override void SaveExtra(JsonObject json) => json["merges"] = new JsonArray([.. Merges.Select(m => (JsonNode)m!)]);
}
