using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamSeq.Text.Tokenizers;

/// <summary>
/// Turns text into token ids and back. Every tokenizer's vocabulary starts with the four
/// <see cref="SpecialTokens"/> (blank 0, BOS 1, EOS 2, UNK 3); text outside the vocabulary maps to UNK.
/// Tokenizers are immutable and thread-safe; they are saved as JSON with their kind and loaded with
/// <see cref="Load"/>.
/// </summary>
public abstract class TextTokenizer
{
    private readonly Dictionary<string, int> _ids;

    /// <summary>Creates a tokenizer over a vocabulary whose first entries are the special tokens.</summary>
    protected TextTokenizer(IReadOnlyList<string> vocabulary, SpecialTokens specials, bool lowercase)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(specials);
        if (vocabulary.Count < SpecialTokens.Count || !vocabulary.Take(SpecialTokens.Count).SequenceEqual(specials.InIdOrder))
        {
            throw new ArgumentException("the vocabulary must start with the special tokens blank, BOS, EOS, UNK", nameof(vocabulary));
        }
        Vocabulary = vocabulary;
        Specials = specials;
        Lowercase = lowercase;
        _ids = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        for (var i = 0; i < vocabulary.Count; i++)
        {
            if (!_ids.TryAdd(vocabulary[i], i))
            {
                throw new ArgumentException($"token '{vocabulary[i]}' appears twice in the vocabulary", nameof(vocabulary));
            }
        }
    }

    /// <summary>"char", "word" or "bpe": the <c>kind</c> in the saved JSON.</summary>
    public abstract string Kind { get; }

    /// <summary>Tokens by id.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>Number of ids (the size of a model's output layer).</summary>
    public int VocabularySize => Vocabulary.Count;

    /// <summary>The special tokens' spellings.</summary>
    public SpecialTokens Specials { get; }

    /// <summary>Whether text is lower-cased before encoding.</summary>
    public bool Lowercase { get; }

    /// <summary>The id of a token, or null when it is not in the vocabulary.</summary>
    public int? IdOf(string token) => _ids.TryGetValue(token, out var id) ? id : null;

    /// <summary>The token of an id.</summary>
    public string TokenOf(int id) => (uint)id < (uint)Vocabulary.Count ? Vocabulary[id] : throw new ArgumentOutOfRangeException(nameof(id), id, $"not an id of this vocabulary of {Vocabulary.Count}");

    /// <summary>Whether an id is one of the special tokens.</summary>
    public static bool IsSpecial(int id) => id is >= 0 and < SpecialTokens.Count;

    /// <summary>Encodes text, optionally framed by BOS and EOS.</summary>
    public int[] Encode(string text, bool addBos = false, bool addEos = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        if (addBos)
        {
            ids.Add(SpecialTokens.BosId);
        }
        EncodeCore(Lowercase ? text.ToLowerInvariant() : text, ids);
        if (addEos)
        {
            ids.Add(SpecialTokens.EosId);
        }
        return [.. ids];
    }

    /// <summary>The token strings of <see cref="Encode"/>.</summary>
    public IReadOnlyList<string> Tokenize(string text) => [.. Encode(text).Select(TokenOf)];

    /// <summary>Turns ids back into text; special tokens are dropped unless <paramref name="keepSpecial"/>.</summary>
    public string Decode(ReadOnlySpan<int> ids, bool keepSpecial = false)
    {
        var tokens = new List<string>(ids.Length);
        foreach (var id in ids)
        {
            if (IsSpecial(id) && !(keepSpecial || id == SpecialTokens.UnkId))
            {
                continue;
            }
            tokens.Add(TokenOf(id));
        }
        return DecodeCore(tokens);
    }

    /// <summary>Appends the ids of (already normalised) text.</summary>
    protected abstract void EncodeCore(string text, List<int> ids);

    /// <summary>Joins tokens into text.</summary>
    protected abstract string DecodeCore(IReadOnlyList<string> tokens);

    /// <summary>Extra JSON fields of the kind (BPE merges).</summary>
    protected virtual void SaveExtra(JsonObject json)
    {
    }

    /// <summary>Saves the tokenizer as JSON.</summary>
    public void Save(string path)
    {
        var json = new JsonObject
        {
            ["kind"] = Kind,
            ["lowercase"] = Lowercase,
            ["specialTokens"] = new JsonObject
            {
                ["blank"] = Specials.Blank,
                ["bos"] = Specials.Bos,
                ["eos"] = Specials.Eos,
                ["unk"] = Specials.Unk,
            },
            ["vocabulary"] = new JsonArray([.. Vocabulary.Select(t => (JsonNode)t!)]),
        };
        SaveExtra(json);
        File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    /// <summary>Loads a tokenizer saved by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a tokenizer file; the message names it.</exception>
    public static TextTokenizer Load(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
        try
        {
            var kind = (string?)root?["kind"] ?? throw new InvalidDataException("no 'kind'");
            var lowercase = (bool?)root!["lowercase"] ?? false;
            var s = root["specialTokens"];
            var specials = s is null ? SpecialTokens.Default
                : new SpecialTokens((string?)s["blank"] ?? "<blank>", (string?)s["bos"] ?? "<s>", (string?)s["eos"] ?? "</s>", (string?)s["unk"] ?? "<unk>");
            var vocabulary = root["vocabulary"]?.AsArray().Select(n => (string?)n ?? throw new InvalidDataException("null token")).ToList()
                ?? throw new InvalidDataException("no 'vocabulary'");
            return kind switch
            {
                "char" => new CharTokenizer(vocabulary, specials, lowercase),
                "word" => new WordTokenizer(vocabulary, specials, lowercase),
                "bpe" => new BpeTextTokenizer(vocabulary, root["merges"]?.AsArray().Select(n => (string)n!).ToList() ?? throw new InvalidDataException("no 'merges'"), specials, lowercase),
                _ => throw new InvalidDataException($"unknown kind '{kind}' (char, word, bpe)"),
            };
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a tokenizer file: {e.Message}", e);
        }
    }

    /// <summary>The special tokens followed by <paramref name="tokens"/> (duplicates of specials removed).</summary>
    protected static List<string> WithSpecials(SpecialTokens specials, IEnumerable<string> tokens)
    {
        var list = new List<string>(specials.InIdOrder);
        var seen = new HashSet<string>(list, StringComparer.Ordinal);
        list.AddRange(tokens.Where(seen.Add));
        return list;
    }
}
