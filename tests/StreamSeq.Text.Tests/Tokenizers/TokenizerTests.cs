using StreamSeq.Text.Tokenizers;

namespace StreamSeq.Text.Tests.Tokenizers;

public sealed class TokenizerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("streamseq-text-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static readonly string[] Corpus =
    [
        "turn on the light", "turn off the light", "three five one", "one two three four", "open the door",
        "close the door", "the lighthouse is on", "lower the lights", "zero zero seven", "nine eight seven six",
        "Über café naïve",
    ];

    public static TheoryData<string> Kinds() => ["char", "word", "bpe"];

    private static TextTokenizer Make(string kind) => kind switch
    {
        "char" => CharTokenizer.Train(Corpus),
        "word" => WordTokenizer.Train(Corpus),
        _ => BpeTextTokenizer.Train(Corpus, vocabularySize: 80),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Text_round_trips_through_ids(string kind)
    {
        var tokenizer = Make(kind);
        foreach (var line in Corpus)
        {
            var ids = tokenizer.Encode(line);
            Assert.DoesNotContain(SpecialTokens.UnkId, ids);
            Assert.Equal(line.ToLowerInvariant(), tokenizer.Decode(ids));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Special_tokens_have_fixed_ids_and_frame_sequences(string kind)
    {
        var tokenizer = Make(kind);
        Assert.Equal(["<blank>", "<s>", "</s>", "<unk>"], tokenizer.Vocabulary.Take(4));
        var ids = tokenizer.Encode("open the door", addBos: true, addEos: true);
        Assert.Equal(SpecialTokens.BosId, ids[0]);
        Assert.Equal(SpecialTokens.EosId, ids[^1]);
        Assert.Equal("open the door", tokenizer.Decode(ids));
        Assert.Equal("<s>", tokenizer.Decode(ids.Take(1).ToArray(), keepSpecial: true));
        // CTC output: blanks are dropped when decoding.
        Assert.Equal("open the door", tokenizer.Decode([SpecialTokens.BlankId, .. tokenizer.Encode("open the door"), SpecialTokens.BlankId]));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Unknown_text_maps_to_unk(string kind)
    {
        var tokenizer = Make(kind);
        var ids = tokenizer.Encode("qqq");
        Assert.Contains(SpecialTokens.UnkId, ids);
        Assert.Contains("<unk>", tokenizer.Decode(ids));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Saved_tokenizers_load_with_the_same_vocabulary_and_encodings(string kind)
    {
        var tokenizer = Make(kind);
        var path = Path.Combine(_dir, kind + ".json");
        tokenizer.Save(path);
        var loaded = TextTokenizer.Load(path);
        Assert.Equal(tokenizer.GetType(), loaded.GetType());
        Assert.Equal(tokenizer.Vocabulary, loaded.Vocabulary);
        foreach (var line in Corpus.Append("the lights are off"))
        {
            Assert.Equal(tokenizer.Encode(line), loaded.Encode(line));
        }
    }

    [Fact]
    public void A_file_that_is_not_a_tokenizer_is_named_in_the_error()
    {
        var path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, """{ "kind": "morse", "vocabulary": ["<blank>", "<s>", "</s>", "<unk>"] }""");
        var e = Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("morse", e.Message);
        File.WriteAllText(path, "{ not json");
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(path)).Message);
    }

    [Fact]
    public void Bpe_merges_frequent_pairs_and_shortens_sequences()
    {
        var chars = CharTokenizer.Train(Corpus);
        var bpe = BpeTextTokenizer.Train(Corpus, vocabularySize: 100);
        Assert.NotEmpty(bpe.Merges);
        Assert.Contains("the</w>", bpe.Vocabulary);
        var line = "turn off the light";
        Assert.True(bpe.Encode(line).Length < chars.Encode(line).Length / 2, string.Join(' ', bpe.Tokenize(line)));
    }

    [Fact]
    public void Bpe_encoding_equals_applying_the_merges_by_rank()
    {
        // An independent encoder: repeatedly merge the adjacent pair with the lowest merge rank.
        var bpe = BpeTextTokenizer.Train(Corpus, vocabularySize: 70);
        var rank = bpe.Merges.Select((m, i) => (m, i)).ToDictionary(x => x.m, x => x.i);
        foreach (var text in Corpus.Append("the door lights").Select(t => t.ToLowerInvariant()))
        {
            var expected = new List<string>();
            foreach (var word in text.Split(' '))
            {
                var symbols = BpeTextTokenizer.InitialSymbols(word);
                while (true)
                {
                    var best = -1;
                    for (var i = 0; i + 1 < symbols.Count; i++)
                    {
                        if (rank.TryGetValue(symbols[i] + " " + symbols[i + 1], out var r) && (best < 0 || r < rank[symbols[best] + " " + symbols[best + 1]]))
                        {
                            best = i;
                        }
                    }
                    if (best < 0)
                    {
                        break;
                    }
                    symbols[best] += symbols[best + 1];
                    symbols.RemoveAt(best + 1);
                }
                expected.AddRange(symbols);
            }
            Assert.Equal(expected, bpe.Tokenize(text));
        }
    }

    [Fact]
    public void Bpe_training_is_deterministic()
        => Assert.Equal(BpeTextTokenizer.Train(Corpus, 90).Merges, BpeTextTokenizer.Train(Corpus.Reverse(), 90).Merges);

    [Fact]
    public void Word_vocabularies_keep_the_most_frequent_words()
    {
        var tokenizer = WordTokenizer.Train(Corpus, maxWords: 3);
        Assert.Equal(["the", "door", "light"], tokenizer.Vocabulary.Skip(4));
        Assert.Equal([SpecialTokens.UnkId, 4], tokenizer.Encode("open the"));
    }

    [Fact]
    public void Character_tokens_are_text_elements()
    {
        var tokenizer = CharTokenizer.FromAlphabet("abc e\u0301");
        Assert.Equal(5 + 4, tokenizer.VocabularySize);
        Assert.Equal(3, tokenizer.Encode("ae\u0301b").Length);
    }
}
