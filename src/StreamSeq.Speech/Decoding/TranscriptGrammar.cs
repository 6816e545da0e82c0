using StreamSeq.Lattice;
using StreamSeq.Text.Tokenizers;

namespace StreamSeq.Speech.Decoding;

/// <summary>
/// Acceptors over a character tokenizer's ids that say which transcriptions are allowed: sequences of
/// vocabulary words, fixed phrases, or their union. Composed with the CTC topology they constrain decoding
/// the way a JSGF grammar constrains PocketSphinx.
/// </summary>
public static class TranscriptGrammar
{
    /// <summary>One or more of <paramref name="words"/>, separated by single spaces (<paramref name="maxWords"/> 0: no limit).</summary>
    /// <exception cref="ArgumentException">A word has a character the tokenizer lacks.</exception>
    public static Graph WordSequence(TextTokenizer tokenizer, IEnumerable<string> words, int maxWords = 0)
    {
        var space = SpaceId(tokenizer);
        var list = words.Select(w => w.Trim()).Where(w => w.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("a grammar needs at least one word", nameof(words));
        }
        var graph = new Graph();
        var count = maxWords > 0 ? maxWords : 1;
        var before = graph.AddState(start: true);
        for (var position = 0; position < count; position++)
        {
            var after = graph.AddState(accept: true);
            foreach (var word in list)
            {
                AddPath(graph, tokenizer, before, after, word);
            }
            if (maxWords == 0)
            {
                graph.AddArc(after, before, space);
            }
            else if (position + 1 < count)
            {
                var next = graph.AddState();
                graph.AddArc(after, next, space);
                before = next;
            }
        }
        return graph;
    }

    /// <summary>Exactly one of <paramref name="phrases"/> (words separated by single spaces).</summary>
    public static Graph Phrases(TextTokenizer tokenizer, IEnumerable<string> phrases)
    {
        var graph = new Graph();
        var start = graph.AddState(start: true);
        var end = graph.AddState(accept: true);
        var any = false;
        foreach (var phrase in phrases)
        {
            var words = phrase.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (words.Length > 0)
            {
                AddPath(graph, tokenizer, start, end, string.Join(' ', words));
                any = true;
            }
        }
        return any ? graph : throw new ArgumentException("a grammar needs at least one phrase", nameof(phrases));
    }

    /// <summary>Digit strings of 1..<paramref name="maxDigits"/> digit words, or one of the command phrases.</summary>
    public static Graph DigitsOrCommands(TextTokenizer tokenizer, IEnumerable<string> digitWords, IEnumerable<string> commands, int maxDigits) =>
        GraphOps.Union(WordSequence(tokenizer, digitWords, maxDigits), Phrases(tokenizer, commands));

    private static void AddPath(Graph graph, TextTokenizer tokenizer, int from, int to, string text)
    {
        var ids = tokenizer.Encode(text);
        if (ids.Length == 0 || ids.Any(id => id == SpecialTokens.UnkId))
        {
            throw new ArgumentException($"the grammar's '{text}' has characters the model's tokenizer lacks");
        }
        var state = from;
        for (var i = 0; i < ids.Length; i++)
        {
            var target = i + 1 == ids.Length ? to : graph.AddState();
            graph.AddArc(state, target, ids[i]);
            state = target;
        }
    }

    private static int SpaceId(TextTokenizer tokenizer) =>
        tokenizer.Kind == "char" && tokenizer.IdOf(" ") is { } id ? id : throw new ArgumentException("word grammars need a character tokenizer with a space token");
}
