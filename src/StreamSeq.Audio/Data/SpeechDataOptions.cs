namespace StreamSeq.Audio.Data;

/// <summary>What <see cref="SpeechDataGenerator"/> makes.</summary>
public sealed record SpeechDataOptions
{
    /// <summary>Output directory (created): train/ and test/ WAVs, train.tsv and test.tsv manifests.</summary>
    public string Output { get; init; } = "data/speech";

    /// <summary>Training utterances.</summary>
    public int TrainCount { get; init; } = 400;

    /// <summary>Test utterances (spoken by the held-out voices only).</summary>
    public int TestCount { get; init; } = 100;

    /// <summary>Seed of every random choice.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Sample rate of the written WAVs.</summary>
    public int SampleRate { get; init; } = 16000;

    /// <summary>Share of utterances that are command phrases (the rest are connected digit strings).</summary>
    public double CommandShare { get; init; } = 0.3;

    /// <summary>Shortest and longest digit string.</summary>
    public (int Min, int Max) Digits { get; init; } = (1, 7);

    /// <summary>espeak-ng speed range (words per minute).</summary>
    public (int Min, int Max) Speed { get; init; } = (130, 210);

    /// <summary>espeak-ng pitch range (0..99).</summary>
    public (int Min, int Max) Pitch { get; init; } = (25, 75);

    /// <summary>Signal-to-noise range (dB) of added noise.</summary>
    public (double Min, double Max) SnrDb { get; init; } = (10, 35);

    /// <summary>Share of utterances that get noise.</summary>
    public double NoiseShare { get; init; } = 0.7;

    /// <summary>Share of utterances that get reverberation.</summary>
    public double ReverbShare { get; init; } = 0.5;

    /// <summary>espeak-ng voices for training (voice+variant).</summary>
    public IReadOnlyList<string> TrainVoices { get; init; } = SpeechVocabulary.TrainVoices;

    /// <summary>espeak-ng voices for testing, disjoint from <see cref="TrainVoices"/>.</summary>
    public IReadOnlyList<string> TestVoices { get; init; } = SpeechVocabulary.TestVoices;

    /// <summary>Share of utterances spoken by a festival voice when a split lists both festival and espeak voices.</summary>
    public double FestivalShare { get; init; } = 0.35;

    /// <summary>Processes run at once (espeak-ng is single-threaded).</summary>
    public int Parallelism { get; init; } = Math.Max(1, Environment.ProcessorCount);
}

/// <summary>The fixed vocabulary and voice lists of the synthetic speech data.</summary>
public static class SpeechVocabulary
{
    /// <summary>Digit words, index = digit.</summary>
    public static IReadOnlyList<string> DigitWords { get; } = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    /// <summary>Short command phrases.</summary>
    public static IReadOnlyList<string> Commands { get; } =
    [
        "yes", "no", "stop", "go", "up", "down", "left", "right", "on", "off",
        "turn on the light", "turn off the light", "open the door", "close the door",
        "volume up", "volume down", "next track", "previous track", "play music", "pause",
        "start recording", "stop recording", "call home", "cancel",
    ];

    /// <summary>Every word the data can contain.</summary>
    public static IReadOnlyList<string> Words { get; } = [.. DigitWords.Concat(Commands.SelectMany(c => c.Split(' '))).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>Training voices: four English accents × seven variants.</summary>
    public static IReadOnlyList<string> TrainVoices { get; } =
        [.. from v in (string[])["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp"]
            from x in (string[])["m1", "m2", "m3", "m5", "f1", "f2", "f4"]
            select $"{v}+{x}"];

    /// <summary>
    /// Training voices of the multi-synthesizer set: the four training accents with many more espeak-ng variants
    /// (none of the held-out ones), and festival's two diphone voices.
    /// </summary>
    public static IReadOnlyList<string> ExtendedTrainVoices { get; } =
        [.. from v in (string[])["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp"]
            from x in (string[])["m1", "m2", "m3", "m5", "m7", "m8", "f1", "f2", "f4", "klatt", "klatt2", "klatt3", "klatt4", "Andy", "Annie", "anika", "david", "edward", "john", "linda", "max", "steph", "robert", "quincy", "grandma", "grandpa", "whisper", "croak"]
            select $"{v}+{x}",
         SpeechVoices.Festival + "kal_diphone", SpeechVoices.Festival + "ked_diphone"];

    /// <summary>
    /// Held-out voices of the multi-synthesizer set: <see cref="TestVoices"/> and festival's HTS voice, a
    /// synthesizer family (statistical parametric) that no training voice belongs to.
    /// </summary>
    // A getter: TestVoices is initialised after this property.
    public static IReadOnlyList<string> ExtendedTestVoices => [.. TestVoices, SpeechVoices.Festival + "cmu_us_slt_arctic_hts"];

    /// <summary>Held-out voices: other accents and other variants than any training voice.</summary>
    public static IReadOnlyList<string> TestVoices { get; } =
        [.. from v in (string[])["en-029", "en-gb-x-gbclan", "en-gb-x-gbcwmd"]
            from x in (string[])["m4", "m6", "f3", "f5"]
            select $"{v}+{x}"];
}

/// <summary>Voice names of the data generator: espeak-ng <c>voice+variant</c>, or <c>festival:NAME</c>.</summary>
public static class SpeechVoices
{
    /// <summary>The prefix of festival voices.</summary>
    public const string Festival = "festival:";

    /// <summary>Whether festival speaks this voice.</summary>
    public static bool IsFestival(string voice) => voice.StartsWith(Festival, StringComparison.Ordinal);

    /// <summary>The festival voice name (what <c>(voice_NAME)</c> selects).</summary>
    public static string FestivalVoice(string voice) => IsFestival(voice) ? voice[Festival.Length..] : throw new ArgumentException($"'{voice}' is not a festival voice");

    /// <summary>The synthesizer family: <c>espeak</c>, <c>festival-hts</c> (HMM-based voices) or <c>festival-diphone</c>.</summary>
    public static string Family(string voice)
        => !IsFestival(voice) ? "espeak" : voice.EndsWith("_hts", StringComparison.Ordinal) ? "festival-hts" : "festival-diphone";
}
