using StreamSeq.Lattice;
using StreamSeq.Ocr.Data;
using StreamSeq.Text.LanguageModels;

namespace StreamSeq.Ocr.Model;

/// <summary>
/// What may be read, and how likely it is, as acceptors over a model's classes (class = 1-based character):
/// a character set, a pattern (<see cref="PatternGrammar"/>), a word list (<see cref="LexiconGrammar"/>) and a
/// character n-gram language model (<see cref="NGramAcceptor"/>, scaled by an LM weight). Both recognisers
/// compose their lattice with these graphs in order (restrictions first, the LM last) before Viterbi or n-best.
/// </summary>
public sealed class OcrConstraints
{
    private OcrConstraints(IReadOnlyList<Graph> graphs, string name)
    {
        Graphs = graphs;
        Name = name;
    }

    /// <summary>No constraint.</summary>
    public static OcrConstraints None { get; } = new([], "");

    /// <summary>The acceptors, input-sorted, in composition order.</summary>
    public IReadOnlyList<Graph> Graphs { get; }

    /// <summary>Which constraints apply, joined by '+' (e.g. "pattern+lm"); "" for none.</summary>
    public string Name { get; }

    /// <summary>Whether there is no constraint.</summary>
    public bool IsEmpty => Graphs.Count == 0;

    /// <summary>One acceptor under a name (e.g. a hand-built grammar).</summary>
    /// <param name="name">Its name in method names.</param>
    /// <param name="graph">An acceptor over the model's classes.</param>
    public static OcrConstraints Of(string name, Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return new([GraphOps.ArcSort(graph)], name);
    }

    /// <summary>Each character of the alphabet and its class.</summary>
    public static IReadOnlyDictionary<char, int> Symbols(OcrAlphabet alphabet)
    {
        ArgumentNullException.ThrowIfNull(alphabet);
        return alphabet.Characters.Select((c, i) => (c, i + 1)).ToDictionary(p => p.c, p => p.Item2);
    }

    /// <summary>
    /// Builds the constraints the options ask for (each null or empty option leaves its constraint out).
    /// </summary>
    /// <param name="alphabet">The model's alphabet.</param>
    /// <param name="charset">Characters that may be read.</param>
    /// <param name="pattern">A pattern the whole transcription must match.</param>
    /// <param name="lexicon">A word-list file (words separated by white space or lines); readings are one or more
    /// of its words separated by single spaces (one word when the alphabet has no space).</param>
    /// <param name="lm">An ARPA character language model (tokens: characters, <c>&lt;sp&gt;</c> for a space).</param>
    /// <param name="lmWeight">The LM weight (≥ 0).</param>
    /// <param name="backoff">How the LM's back-off is represented.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names the option (and file and line).</exception>
    public static OcrConstraints Build(OcrAlphabet alphabet, string? charset = null, string? pattern = null, string? lexicon = null, string? lm = null, double lmWeight = 0.5, BackoffArcs backoff = BackoffArcs.Auto)
    {
        ArgumentNullException.ThrowIfNull(alphabet);
        var graphs = new List<Graph>();
        var names = new List<string>();
        if (!string.IsNullOrEmpty(charset))
        {
            try
            {
                graphs.Add(CtcDecoding.CharacterSetGrammar(alphabet, charset));
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"charset: {e.Message}", e);
            }
            names.Add("grammar");
        }
        if (!string.IsNullOrEmpty(pattern))
        {
            try
            {
                graphs.Add(PatternGrammar.Compile(pattern, Symbols(alphabet)));
            }
            catch (FormatException e)
            {
                throw new ArgumentException($"pattern: {e.Message}", e);
            }
            names.Add("pattern");
        }
        if (!string.IsNullOrEmpty(lexicon))
        {
            graphs.Add(Lexicon(alphabet, lexicon));
            names.Add("lexicon");
        }
        if (!string.IsNullOrEmpty(lm))
        {
            if (!(lmWeight >= 0) || double.IsInfinity(lmWeight))
            {
                throw new ArgumentException($"lm-weight: {lmWeight} is not a finite number >= 0");
            }
            NGramModel model;
            try
            {
                model = ArpaFormat.Read(lm);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or FormatException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"lm '{lm}': {e.Message}", e);
            }
            graphs.Add(NGramAcceptor.Build(model, NGramAcceptor.CharacterSymbols(model, alphabet.Characters), lmWeight, backoff));
            names.Add("lm");
        }
        return graphs.Count == 0 ? None : new([.. graphs.Select(g => g.IsInputSorted ? g : GraphOps.ArcSort(g))], string.Join('+', names));
    }

    /// <summary>The lexicon acceptor of a word-list file.</summary>
    /// <exception cref="ArgumentException">The file cannot be read, holds no word, or a word has a character
    /// outside the alphabet (named with its line).</exception>
    public static Graph Lexicon(OcrAlphabet alphabet, string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"lexicon '{path}': {e.Message}", e);
        }
        var words = new List<int[]>();
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (var word in lines[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                var labels = new int[word.Length];
                for (var k = 0; k < word.Length; k++)
                {
                    labels[k] = alphabet.ClassOf(word[k]);
                    if (labels[k] < 0)
                    {
                        throw new ArgumentException($"lexicon '{path}':{i + 1}: the word \"{word}\" has the character '{word[k]}', which is not in the model's alphabet");
                    }
                }
                words.Add(labels);
            }
        }
        if (words.Count == 0)
        {
            throw new ArgumentException($"lexicon '{path}': the file holds no word");
        }
        return LexiconGrammar.Build(words, alphabet.ClassOf(' ') is var space and >= 0 ? space : Graph.Epsilon);
    }
}
