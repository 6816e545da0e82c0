using StreamSeq.Text.Metrics;

namespace StreamSeq.Text.Tests.Metrics;

public sealed class ErrorRateTests
{
    [Fact]
    public void One_substituted_word_is_one_substitution()
    {
        var counts = ErrorRate.WordEdits("the cat sat", "the bat sat");
        Assert.Equal(new EditCounts(1, 0, 0, 3), counts);
        Assert.Equal(1 / 3.0, counts.Rate, 12);
        Assert.Equal(2, counts.Hits);
    }

    [Fact]
    public void A_missing_word_is_a_deletion()
    {
        Assert.Equal(new EditCounts(0, 1, 0, 4), ErrorRate.WordEdits("one two three four", "one three four"));
    }

    [Fact]
    public void Extra_words_are_insertions_and_wer_can_exceed_one()
    {
        var counts = ErrorRate.WordEdits("one two", "one two two three");
        Assert.Equal(new EditCounts(0, 0, 2, 2), counts);
        Assert.Equal(1.0, counts.Rate);
        Assert.Equal(2.0, ErrorRate.Wer("go", "no go now"));
    }

    [Fact]
    public void Mixed_edits_are_counted_separately()
    {
        // a=a, b→x (S), c=c, d deleted (D), e=e, f=f, g inserted (I): 3 edits (four substitutions would be 4)
        Assert.Equal(new EditCounts(1, 1, 1, 6), ErrorRate.WordEdits("a b c d e f", "a x c e f g"));
    }

    [Fact]
    public void An_empty_reference_scores_zero_when_the_hypothesis_is_empty_and_counts_insertions_otherwise()
    {
        Assert.Equal(new EditCounts(0, 0, 0, 0), ErrorRate.WordEdits("", "   "));
        Assert.Equal(0.0, ErrorRate.Wer("", ""));
        var counts = ErrorRate.WordEdits(" ", "hello world");
        Assert.Equal(new EditCounts(0, 0, 2, 0), counts);
        Assert.Equal(2.0, counts.Rate);
        Assert.Equal(new EditCounts(0, 2, 0, 2), ErrorRate.WordEdits("hello world", ""));
        Assert.Equal(1.0, ErrorRate.Cer("abc", ""));
    }

    [Fact]
    public void Case_and_whitespace_are_normalised_for_words_and_characters()
    {
        Assert.Equal(new EditCounts(0, 0, 0, 4), ErrorRate.WordEdits("  Turn ON\tthe\n light ", "turn on the light"));
        Assert.Equal(new EditCounts(0, 0, 0, 17), ErrorRate.CharacterEdits("  Turn ON\tthe\n light ", "turn  on the light"));
        Assert.Equal("turn on the light", ErrorRate.Normalize("  Turn ON\tthe\n light "));
        Assert.Equal(["turn", "on"], ErrorRate.Words("Turn\r\nOn"));
    }

    [Fact]
    public void Character_edits_count_the_spaces_between_words()
    {
        Assert.Equal(new EditCounts(2, 0, 1, 6), ErrorRate.CharacterEdits("kitten", "sitting"));
        Assert.Equal(new EditCounts(0, 1, 0, 5), ErrorRate.CharacterEdits("ab cd", "abcd"));
        Assert.Equal(3 / 6.0, ErrorRate.Cer("kitten", "sitting"), 12);
    }

    [Fact]
    public void The_alignment_lists_every_step_in_order()
    {
        var steps = ErrorRate.Align<string>(["a", "b", "c"], ["a", "x", "c", "d"]);
        Assert.Equal(
            [
                new EditOperation(EditKind.Match, 0, 0),
                new EditOperation(EditKind.Substitution, 1, 1),
                new EditOperation(EditKind.Match, 2, 2),
                new EditOperation(EditKind.Insertion, -1, 3),
            ],
            steps);
        var deletion = ErrorRate.Align<char>("abc".AsSpan(), "ac".AsSpan());
        Assert.Equal([EditKind.Match, EditKind.Deletion, EditKind.Match], deletion.Select(s => s.Kind));
        Assert.Empty(ErrorRate.Align<int>([], []));
    }

    [Fact]
    public void Counts_agree_with_the_plain_distance_and_the_alignment_is_consistent_on_random_strings()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 300; trial++)
        {
            var a = RandomText(random);
            var b = RandomText(random);
            var counts = ErrorRate.Count<char>(a.AsSpan(), b.AsSpan());
            Assert.Equal(ErrorRate.Distance(a, b), counts.Edits);
            Assert.Equal(ErrorRate.Distance(b, a), counts.Edits);
            var steps = ErrorRate.Align<char>(a.AsSpan(), b.AsSpan());
            // The alignment consumes both strings in order, and matches really match.
            Assert.Equal(Enumerable.Range(0, a.Length), steps.Where(s => s.Reference >= 0).Select(s => s.Reference));
            Assert.Equal(Enumerable.Range(0, b.Length), steps.Where(s => s.Hypothesis >= 0).Select(s => s.Hypothesis));
            Assert.All(steps.Where(s => s.Kind == EditKind.Match), s => Assert.Equal(a[s.Reference], b[s.Hypothesis]));
            Assert.All(steps.Where(s => s.Kind == EditKind.Substitution), s => Assert.NotEqual(a[s.Reference], b[s.Hypothesis]));
        }
    }

    [Fact]
    public void The_plain_distance_is_case_sensitive()
    {
        Assert.Equal(1, ErrorRate.Distance("Abc", "abc"));
        Assert.Equal(3, ErrorRate.Distance("kitten", "sitting"));
    }

    [Fact]
    public void The_corpus_rate_is_total_edits_over_total_reference_length()
    {
        var corpus = new ErrorRateAccumulator();
        Assert.Equal(new EditCounts(0, 0, 0, 3), corpus.Add("one two three", "One  two three"));
        Assert.Equal(new EditCounts(0, 1, 0, 2), corpus.Add("four five", "four"));
        Assert.Equal(new EditCounts(0, 0, 1, 1), corpus.Add("six", "seven six"));
        corpus.Add("nine", null);
        Assert.Equal(4, corpus.Pairs);
        Assert.Equal(3, corpus.WrongPairs);
        Assert.Equal(new EditCounts(0, 2, 1, 7), corpus.Words);
        // Not the mean of per-pair rates (0, 0.5, 1, 1 → 0.625).
        Assert.Equal(3 / 7.0, corpus.Wer, 12);
        Assert.Equal(0.75, corpus.SentenceErrorRate);
        // Characters: "four five"→"four" deletes " five" (5); "six"→"seven six" inserts "seven " (6); "nine" deleted (4).
        Assert.Equal(new EditCounts(0, 9, 6, 13 + 9 + 3 + 4), corpus.Characters);
        Assert.Equal(15 / 29.0, corpus.Cer, 12);
        Assert.Equal(corpus.Words, ErrorRate.WordEdits("one two three", "one two three") + ErrorRate.WordEdits("four five", "four")
            + ErrorRate.WordEdits("six", "seven six") + ErrorRate.WordEdits("nine", ""));
    }

    [Fact]
    public void An_empty_accumulator_reports_zero()
    {
        var corpus = new ErrorRateAccumulator();
        Assert.Equal(0.0, corpus.Wer);
        Assert.Equal(0.0, corpus.Cer);
        Assert.Equal(0.0, corpus.SentenceErrorRate);
    }

    private static string RandomText(Random random)
        => new([.. Enumerable.Range(0, random.Next(0, 9)).Select(_ => (char)('a' + random.Next(3)))]);
}
