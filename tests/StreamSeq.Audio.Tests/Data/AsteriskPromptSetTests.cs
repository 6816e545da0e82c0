using StreamSeq.Audio.Data;
using StreamSeq.Audio.Tests.Support;
using StreamSeq.Audio.Wav;

namespace StreamSeq.Audio.Tests.Data;

public sealed class AsteriskPromptSetTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(0, "zero")]
    [InlineData(13, "thirteen")]
    [InlineData(40, "forty")]
    [InlineData(42, "forty two")]
    [InlineData(100, "one hundred")]
    [InlineData(162, "one hundred sixty two")]
    [InlineData(2000, "two thousand")]
    [InlineData(1205, "one thousand two hundred five")]
    public void Numbers_are_spelled_out(int n, string words) => Assert.Equal(words, AsteriskPromptSet.NumberWords(n));

    [Theory]
    [InlineData("Please press 1 to mute, or 8 to exit.", "please press one to mute or eight to exit")]
    [InlineData("Call-Forward on No Answer.", "call forward on no answer")]
    [InlineData("Enter your party's extension, followed by #.", "enter your party's extension followed by pound")]
    [InlineData("Press * to cancel", "press star to cancel")]
    [InlineData("[this is a simple beep tone]", null)]
    [InlineData("  ...  ", null)]
    public void Transcripts_are_normalised_to_spoken_words(string text, string? expected) => Assert.Equal(expected, AsteriskPromptSet.Normalize(text));

    [Fact]
    public void Transcript_lines_are_name_colon_text_and_comments_are_skipped()
    {
        var lines = AsteriskPromptSet.ParseTranscripts(new StringReader("; Core sounds\n\ndigits/7: seven\nauth-thankyou: Thank you.\n"));
        Assert.Equal([("digits/7", "seven"), ("auth-thankyou", "Thank you.")], lines);
    }

    [Fact]
    public async Task The_installed_prompts_give_held_out_digits_and_a_disjoint_fine_tuning_set()
    {
        // Debian's asterisk-core-sounds-en and -g722 (scripts/setup.sh installs both).
        var options = new AsteriskPromptOptions { Output = _dir.File("asterisk"), DigitStrings = 5, Seed = 2 };
        var summary = await AsteriskPromptSet.BuildAsync(options);

        var test = SpeechDataGenerator.ReadManifestWithSubsets(Path.Combine(options.Output, "test.tsv"));
        var fineTune = SpeechDataGenerator.ReadManifestWithSubsets(Path.Combine(options.Output, "finetune.tsv"));
        Assert.Equal((summary.Test, summary.FineTune), (test.Count, fineTune.Count));
        var digits = test.Where(e => e.Subset == "real-digits").ToList();
        Assert.Equal(SpeechVocabulary.DigitWords, digits.Select(e => e.Text));
        Assert.Equal(5, test.Count(e => e.Subset == "real-digit-strings"));
        // Every third prompt is held out; nothing is in both manifests, and no digit recording is fine-tuned on.
        var prompts = test.Count(e => e.Subset == "real-prompts");
        Assert.InRange(fineTune.Count, (2 * prompts) - 2, 2 * prompts);
        Assert.Empty(test.Select(e => e.Audio).Intersect(fineTune.Select(e => e.Audio)));
        Assert.DoesNotContain(fineTune, e => digits.Any(d => d.Audio == e.Audio));
        // A spliced string is as long as its digit recordings at least, and is a readable 16 kHz WAV.
        var spliced = test.First(e => e.Subset == "real-digit-strings");
        var wav = WavReader.ReadFile(spliced.Audio);
        Assert.Equal(16000, wav.SampleRate);
        Assert.True(wav.Duration.TotalSeconds >= 0.3 * spliced.Text.Split(' ').Length, $"{wav.Duration} for '{spliced.Text}'");
    }
}
