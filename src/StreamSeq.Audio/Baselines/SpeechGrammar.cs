using System.Text;
using StreamSeq.Audio.Data;

namespace StreamSeq.Audio.Baselines;

/// <summary>
/// What a grammar-constrained recogniser may hear: connected strings of digit words ("zero".."nine") of a
/// bounded length, and/or a list of fixed phrases. <see cref="ToJsgf"/> writes it as a JSGF grammar whose
/// public rule <c>&lt;utterance&gt;</c> accepts exactly these utterances.
/// </summary>
public sealed record SpeechGrammar
{
    /// <summary>Length bounds of <see cref="Digits"/> that mean "no digit strings".</summary>
    public static readonly (int Min, int Max) NoDigits = (0, 0);

    /// <summary>Shortest and longest digit string; <see cref="NoDigits"/> for none; a Max of <see cref="int.MaxValue"/> is unbounded.</summary>
    public (int Min, int Max) Digits { get; init; } = (1, 7);

    /// <summary>Fixed phrases (words separated by spaces; case is ignored).</summary>
    public IReadOnlyList<string> Phrases { get; init; } = SpeechVocabulary.Commands;

    /// <summary>The grammar of the synthetic speech data made with <paramref name="options"/>: its digit lengths, and its commands when it makes any.</summary>
    public static SpeechGrammar For(SpeechDataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SpeechGrammar
        {
            Digits = options.CommandShare >= 1 ? NoDigits : options.Digits,
            Phrases = options.CommandShare > 0 ? SpeechVocabulary.Commands : [],
        };
    }

    /// <summary>Digit strings only, of <paramref name="min"/>..<paramref name="max"/> words.</summary>
    public static SpeechGrammar DigitStrings(int min, int max) => new() { Digits = (min, max), Phrases = [] };

    /// <summary>Every distinct word the grammar can produce, in ordinal order.</summary>
    /// <exception cref="ArgumentException">The grammar is empty or invalid.</exception>
    public IReadOnlyList<string> Words()
    {
        var (phrases, digits) = Validated();
        return [.. phrases.SelectMany(p => p).Concat(digits ? SpeechVocabulary.DigitWords : []).Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>The JSGF text (public rule <c>&lt;utterance&gt;</c>, grammar name <c>streamseq</c>).</summary>
    /// <exception cref="ArgumentException">The grammar is empty or invalid.</exception>
    public string ToJsgf()
    {
        var (phrases, digits) = Validated();
        var text = new StringBuilder();
        text.Append("#JSGF V1.0;\n\ngrammar streamseq;\n\n");
        var alternatives = new List<string>();
        if (digits)
        {
            alternatives.Add("<digits>");
        }
        if (phrases.Count > 0)
        {
            alternatives.Add("<phrase>");
        }
        text.Append("public <utterance> = ").Append(string.Join(" | ", alternatives)).Append(";\n");
        if (digits)
        {
            text.Append("<digits> = ").Append(DigitRepetition(Digits.Min, Digits.Max)).Append(";\n");
            text.Append("<digit> = ").Append(string.Join(" | ", SpeechVocabulary.DigitWords)).Append(";\n");
        }
        if (phrases.Count > 0)
        {
            text.Append("<phrase> = ").Append(string.Join(" | ", phrases.Select(p => string.Join(' ', p)))).Append(";\n");
        }
        return text.ToString();
    }

    // Min required digits, then nested optionals ("[<digit> [<digit>]]"): each length has exactly one path,
    // unlike a flat run of optionals.
    private static string DigitRepetition(int min, int max)
    {
        var required = string.Join(' ', Enumerable.Repeat("<digit>", min));
        if (max == int.MaxValue)
        {
            return required + " <digit>*";
        }
        var optional = "";
        for (var i = 0; i < max - min; i++)
        {
            optional = optional.Length == 0 ? "[<digit>]" : $"[<digit> {optional}]";
        }
        return optional.Length == 0 ? required : $"{required} {optional}";
    }

    private (List<string[]> Phrases, bool Digits) Validated()
    {
        var (min, max) = Digits;
        var digits = (min, max) != NoDigits;
        if (digits && (min < 1 || max < min))
        {
            throw new ArgumentException($"digit string lengths ({min}, {max}) need 1 <= min <= max, or (0, 0) for none");
        }
        if (max != int.MaxValue && max > 100)
        {
            throw new ArgumentException($"digit strings of up to {max} words make a needlessly large grammar; use int.MaxValue for unbounded");
        }
        var phrases = new List<string[]>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var phrase in Phrases ?? [])
        {
            var words = phrase.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                throw new ArgumentException("a grammar phrase is empty");
            }
            if (words.FirstOrDefault(w => !w.All(c => char.IsAsciiLetterOrDigit(c) || c is '\'' or '-' or '.' or '_')) is { } bad)
            {
                throw new ArgumentException($"grammar phrase '{phrase}': word '{bad}' has characters a JSGF token cannot hold (letters, digits, ' - . _ only)");
            }
            if (seen.Add(string.Join(' ', words)))
            {
                phrases.Add(words);
            }
        }
        if (!digits && phrases.Count == 0)
        {
            throw new ArgumentException("the grammar has neither digit strings nor phrases");
        }
        return (phrases, digits);
    }
}
