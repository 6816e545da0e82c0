using System.Text;

namespace StreamSeq.Audio.Baselines;

/// <summary>CMU-format pronunciation dictionaries (<c>word PH O NE S</c>, alternatives as <c>word(2) ...</c>).</summary>
public static class PronunciationDictionary
{
    /// <summary>
    /// The entries of <paramref name="dictionaryPath"/> for <paramref name="words"/> (every alternative
    /// pronunciation), in the dictionary's order, as dictionary text.
    /// </summary>
    /// <exception cref="FileNotFoundException">The dictionary does not exist.</exception>
    /// <exception cref="ArgumentException">Some words are not in the dictionary; the message names them.</exception>
    public static string Restrict(string dictionaryPath, IEnumerable<string> words)
    {
        ArgumentNullException.ThrowIfNull(dictionaryPath);
        ArgumentNullException.ThrowIfNull(words);
        if (!File.Exists(dictionaryPath))
        {
            throw new FileNotFoundException($"pronunciation dictionary {dictionaryPath} not found", dictionaryPath);
        }
        var wanted = new HashSet<string>(words, StringComparer.Ordinal);
        var found = new HashSet<string>(StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var line in File.ReadLines(dictionaryPath))
        {
            var end = line.IndexOfAny([' ', '\t']);
            if (end <= 0)
            {
                continue;
            }
            var word = BaseWord(line[..end]);
            if (wanted.Contains(word))
            {
                found.Add(word);
                text.Append(line.TrimEnd()).Append('\n');
            }
        }
        var missing = wanted.Where(w => !found.Contains(w)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"{string.Join(", ", missing.Select(w => $"'{w}'"))} not in the pronunciation dictionary {dictionaryPath}");
        }
        return text.ToString();
    }

    /// <summary>A dictionary or hypothesis word without its alternative-pronunciation suffix: <c>one(2)</c> → <c>one</c>.</summary>
    public static string BaseWord(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        var open = word.LastIndexOf('(');
        return open > 0 && word[^1] == ')' && word.AsSpan(open + 1, word.Length - open - 2) is { Length: > 0 } n && int.TryParse(n, out _) ? word[..open] : word;
    }
}
