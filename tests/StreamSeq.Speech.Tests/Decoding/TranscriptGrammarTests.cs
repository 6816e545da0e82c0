using StreamSeq.Lattice;
using StreamSeq.Speech.Decoding;
using StreamSeq.Text.Tokenizers;

namespace StreamSeq.Speech.Tests.Decoding;

public sealed class TranscriptGrammarTests
{
    private static readonly CharTokenizer Tokenizer = CharTokenizer.Train(["zero one two three four five six seven eight nine", "turn on the light", "stop"]);

    private static bool Accepts(Graph grammar, string text)
    {
        var ids = Tokenizer.Encode(text);
        var line = new Graph();
        var state = line.AddState(start: true);
        foreach (var id in ids)
        {
            var next = line.AddState();
            line.AddArc(state, next, id);
            state = next;
        }
        line.SetFinal(state);
        return GraphOps.Viterbi(GraphOps.Compose(line, grammar)).HasPath;
    }

    [Fact]
    public void Digit_strings_or_phrases_accept_exactly_that_language()
    {
        var grammar = TranscriptGrammar.DigitsOrCommands(Tokenizer, ["zero", "one", "two", "seven"], ["turn on the light", "stop"], maxDigits: 3);
        Assert.True(Accepts(grammar, "one"));
        Assert.True(Accepts(grammar, "seven two zero"));
        Assert.True(Accepts(grammar, "turn on the light"));
        Assert.True(Accepts(grammar, "stop"));
        Assert.False(Accepts(grammar, "seven two zero one"));
        Assert.False(Accepts(grammar, "turn on"));
        Assert.False(Accepts(grammar, "on"));
        Assert.False(Accepts(grammar, "one stop"));
        Assert.False(Accepts(grammar, "one  two"));
        Assert.False(Accepts(grammar, ""));
    }

    [Fact]
    public void Free_word_sequences_take_any_number_of_known_words()
    {
        var grammar = TranscriptGrammar.WordSequence(Tokenizer, ["turn", "on", "stop"]);
        Assert.True(Accepts(grammar, "stop stop turn on stop"));
        Assert.False(Accepts(grammar, "stop the"));
    }

    [Fact]
    public void A_grammar_spec_derived_from_transcripts_round_trips_through_json()
    {
        var spec = GrammarSpec.FromTranscripts(["one two", "stop", "nine"], ["one", "two", "nine"], ["stop", "turn on the light"]);
        Assert.Equal(2, spec.MaxDigits);
        Assert.Empty(spec.Words);
        // Only the digit words and phrases the transcripts hold.
        Assert.Equal(["one", "two", "nine"], spec.DigitWords);
        Assert.Equal(["stop"], spec.Phrases);
        var again = GrammarSpec.FromJson(spec.ToJson());
        Assert.Equal(spec.DigitWords, again.DigitWords);
        Assert.Equal(spec.Phrases, again.Phrases);
        Assert.Equal(spec.MaxDigits, again.MaxDigits);
        var free = GrammarSpec.FromTranscripts(["hello world", "one"], ["one"], ["stop"]);
        Assert.Equal(["hello", "one", "world"], free.Words);
    }

    [Fact]
    public void Words_with_characters_the_tokenizer_lacks_are_an_error()
    {
        var e = Assert.Throws<ArgumentException>(() => TranscriptGrammar.Phrases(Tokenizer, ["quux"]));
        Assert.Contains("quux", e.Message);
    }
}
