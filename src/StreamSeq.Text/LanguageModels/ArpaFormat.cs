using System.Globalization;
using System.Text;

namespace StreamSeq.Text.LanguageModels;

/// <summary>
/// Reads and writes ARPA back-off language model files (the text format of SRILM and KenLM): a <c>\data\</c>
/// header with n-gram counts, then one section per order of <c>log10-prob words [log10-backoff]</c> lines,
/// then <c>\end\</c>. Numbers are written so that they read back exactly.
/// </summary>
public static class ArpaFormat
{
    /// <summary>Writes <paramref name="model"/> to a file.</summary>
    public static void Write(NGramModel model, string path)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        Write(model, writer);
    }

    /// <summary>Writes <paramref name="model"/> as ARPA text.</summary>
    public static void Write(NGramModel model, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(writer);
        var entries = model.Entries().GroupBy(e => e.Words.Length).ToDictionary(g => g.Key, g => g.ToList());
        writer.Write("\n\\data\\\n");
        for (var k = 1; k <= model.Order; k++)
        {
            writer.Write($"ngram {k}={entries.GetValueOrDefault(k)?.Count ?? 0}\n");
        }
        for (var k = 1; k <= model.Order; k++)
        {
            writer.Write($"\n\\{k}-grams:\n");
            foreach (var (words, prob, backoff) in entries.GetValueOrDefault(k) ?? [])
            {
                writer.Write(Number(prob));
                writer.Write('\t');
                writer.Write(string.Join(' ', words));
                if (k < model.Order && backoff != 0)
                {
                    writer.Write('\t');
                    writer.Write(Number(backoff));
                }
                writer.Write('\n');
            }
        }
        writer.Write("\n\\end\\\n");
    }

    /// <summary>Reads an ARPA file.</summary>
    /// <exception cref="InvalidDataException">The file is malformed; the message names the file and line.</exception>
    public static NGramModel Read(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Read(reader, path);
    }

    /// <summary>Reads ARPA text; <paramref name="name"/> is used in error messages.</summary>
    public static NGramModel Read(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lineNumber = 0;
        string? line;
        var declared = new SortedDictionary<int, int>();
        var sections = new Dictionary<int, List<(string[] Words, double Prob, double Backoff, int Line)>>();
        InvalidDataException Error(string message) => new($"{name}:{lineNumber}: {message}");

        // Header.
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Trim() == "\\data\\")
            {
                break;
            }
        }
        if (line is null)
        {
            throw new InvalidDataException($"{name}: not an ARPA file (no \\data\\ line)");
        }
        var section = 0;
        var ended = false;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            var text = line.Trim();
            if (text.Length == 0)
            {
                continue;
            }
            if (text == "\\end\\")
            {
                ended = true;
                break;
            }
            if (section == 0 && text.StartsWith("ngram ", StringComparison.Ordinal))
            {
                var parts = text[6..].Split('=');
                if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var k)
                    || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || k < 1)
                {
                    throw Error($"bad count line '{text}'");
                }
                declared[k] = count;
                continue;
            }
            if (text.StartsWith('\\') && text.EndsWith("-grams:", StringComparison.Ordinal))
            {
                if (!int.TryParse(text[1..^7], NumberStyles.None, CultureInfo.InvariantCulture, out section) || !declared.ContainsKey(section))
                {
                    throw Error($"section '{text}' has no count in the header");
                }
                sections[section] = [];
                continue;
            }
            if (section == 0)
            {
                throw Error($"unexpected line '{text}' in the header");
            }
            var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != section + 1 && fields.Length != section + 2)
            {
                throw Error($"a {section}-gram line needs a probability, {section} words and an optional back-off");
            }
            if (!TryNumber(fields[0], out var prob))
            {
                throw Error($"bad probability '{fields[0]}'");
            }
            var backoff = 0.0;
            if (fields.Length == section + 2 && !TryNumber(fields[^1], out backoff))
            {
                throw Error($"bad back-off '{fields[^1]}'");
            }
            sections[section].Add((fields[1..(section + 1)], prob, backoff, lineNumber));
        }
        if (!ended)
        {
            throw new InvalidDataException($"{name}: truncated (no \\end\\ line)");
        }
        if (declared.Count == 0 || declared.Keys.Max() != declared.Count)
        {
            throw new InvalidDataException($"{name}: the header must count orders 1..n");
        }
        foreach (var (k, count) in declared)
        {
            var found = sections.GetValueOrDefault(k)?.Count ?? 0;
            if (found != count)
            {
                throw new InvalidDataException($"{name}: the header declares {count} {k}-grams but {found} are listed");
            }
        }
        var order = declared.Count;
        var model = new NGramModel([.. sections[1].Select(e => e.Words[0])], order);
        foreach (var k in declared.Keys)
        {
            foreach (var (words, prob, backoff, at) in sections[k])
            {
                try
                {
                    model.Add([.. words.Select(model.IdOf)], prob, backoff);
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"{name}:{at}: {e.Message}", e);
                }
            }
        }
        model.Seal();
        return model;
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static bool TryNumber(string text, out double value)
        => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value);
}
