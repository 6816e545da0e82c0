using System.Text.Json.Nodes;
using StreamSeq.Lattice;
using StreamSeq.Text.Tokenizers;

namespace StreamSeq.Speech.Decoding;

/// <summary>
/// The grammar a model's vocabulary implies, as saved in its <c>model.json</c>: either strings of up to
/// <see cref="MaxDigits"/> digit words or one of <see cref="Phrases"/> (the generated data's language, the
/// same language the PocketSphinx baseline's JSGF grammar covers), or any sequence of <see cref="Words"/>.
/// </summary>
/// <param name="DigitWords">Words of digit strings (empty: no digit strings).</param>
/// <param name="MaxDigits">Longest digit string.</param>
/// <param name="Phrases">Whole-utterance phrases (empty: none).</param>
/// <param name="Words">Free word sequences over these words (used when there are neither digits nor phrases).</param>
public sealed record GrammarSpec(IReadOnlyList<string> DigitWords, int MaxDigits, IReadOnlyList<string> Phrases, IReadOnlyList<string> Words)
{
    /// <summary>The grammar of transcripts: the digit strings and phrases they hold when every transcript is one of those, else free sequences of their words.</summary>
    public static GrammarSpec FromTranscripts(IEnumerable<string> transcripts, IReadOnlyList<string> digitWords, IReadOnlyList<string> phrases)
    {
        var digits = new HashSet<string>(digitWords, StringComparer.Ordinal);
        var known = new HashSet<string>(phrases, StringComparer.Ordinal);
        var maxDigits = 0;
        var words = new SortedSet<string>(StringComparer.Ordinal);
        var structured = true;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in transcripts)
        {
            var split = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            words.UnionWith(split);
            seen.Add(string.Join(' ', split));
            if (split.All(digits.Contains))
            {
                maxDigits = Math.Max(maxDigits, split.Length);
            }
            else if (!known.Contains(string.Join(' ', split)))
            {
                structured = false;
            }
        }
        // Only what the transcripts use: the model's tokenizer knows no other characters.
        var seenPhrases = phrases.Where(p => seen.Contains(p)).ToList();
        return structured && (maxDigits > 0 || seenPhrases.Count > 0)
            ? new GrammarSpec(maxDigits > 0 ? [.. digitWords.Where(words.Contains)] : [], maxDigits, seenPhrases, [])
            : new GrammarSpec([], 0, [], [.. words]);
    }

    /// <summary>The acceptor over a tokenizer's ids.</summary>
    public Graph Build(TextTokenizer tokenizer)
    {
        if (Words.Count > 0)
        {
            return TranscriptGrammar.WordSequence(tokenizer, Words);
        }
        if (DigitWords.Count > 0 && Phrases.Count > 0)
        {
            return TranscriptGrammar.DigitsOrCommands(tokenizer, DigitWords, Phrases, MaxDigits);
        }
        return DigitWords.Count > 0 ? TranscriptGrammar.WordSequence(tokenizer, DigitWords, MaxDigits) : TranscriptGrammar.Phrases(tokenizer, Phrases);
    }

    /// <summary>As saved in model.json.</summary>
    public JsonObject ToJson() => new()
    {
        ["digitWords"] = new JsonArray([.. DigitWords.Select(w => (JsonNode)w!)]),
        ["maxDigits"] = MaxDigits,
        ["phrases"] = new JsonArray([.. Phrases.Select(w => (JsonNode)w!)]),
        ["words"] = new JsonArray([.. Words.Select(w => (JsonNode)w!)]),
    };

    /// <summary>Reads <see cref="ToJson"/>'s form.</summary>
    public static GrammarSpec FromJson(JsonObject json)
    {
        static string[] List(JsonNode? node) => node?.AsArray().Select(n => (string)n!).ToArray() ?? [];
        return new GrammarSpec(List(json["digitWords"]), json["maxDigits"]?.GetValue<int>() ?? 0, List(json["phrases"]), List(json["words"]));
    }
}
