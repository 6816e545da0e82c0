using System.Globalization;
using System.IO.Compression;
using System.Text;
using StreamSeq.Audio.Io;
using StreamSeq.Audio.Wav;

namespace StreamSeq.Audio.Data;

/// <summary>Where <see cref="AsteriskPromptSet"/> reads the prompts and writes its manifests.</summary>
public sealed record AsteriskPromptOptions
{
    /// <summary>The prompts' folder (Debian <c>asterisk-core-sounds-en-g722</c>: 16 kHz G.722 files).</summary>
    public string SoundsFolder { get; init; } = "/usr/share/asterisk/sounds/en_US_f_Allison";

    /// <summary>The transcripts (<c>core-sounds-en.txt</c>, gzip or plain).</summary>
    public string Transcripts { get; init; } = "/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz";

    /// <summary>Output folder: <c>test.tsv</c>, <c>finetune.tsv</c> and the spliced digit strings under <c>strings/</c>.</summary>
    public string Output { get; init; } = "data/asterisk";

    /// <summary>Digit strings spliced from the ten digit recordings.</summary>
    public int DigitStrings { get; init; } = 60;

    /// <summary>Seed of the spliced strings.</summary>
    public int Seed { get; init; } = 1;
}

/// <summary>What <see cref="AsteriskPromptSet.BuildAsync"/> wrote.</summary>
/// <param name="Test">Held-out utterances (manifest <c>test.tsv</c>): subsets real-digits, real-digit-strings, real-prompts.</param>
/// <param name="FineTune">Prompts for fine-tuning (manifest <c>finetune.tsv</c>, subset real-prompts-train).</param>
/// <param name="Skipped">Transcript lines without a usable recording or text (tones, silence, missing files).</param>
public sealed record AsteriskPromptSummary(int Test, int FineTune, int Skipped);

/// <summary>
/// Real human speech for validation and fine-tuning: the Asterisk PBX's English prompts (one professional
/// speaker, Allison Smith) with their published transcripts. The ten isolated digit recordings
/// (<c>digits/0</c>..<c>digits/9</c>) form the subset <c>real-digits</c>; connected strings of two to seven
/// of them, spliced with short random pauses, form <c>real-digit-strings</c> (the same speaker and
/// recordings, but not coarticulated); every third of the other prompts, in order of their names, is held
/// out as <c>real-prompts</c>; the rest go to <c>finetune.tsv</c>. Digit recordings are never in the
/// fine-tuning manifest.
/// </summary>
public static class AsteriskPromptSet
{
    private static readonly string[] Ones =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];

    private static readonly string[] Tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

    /// <summary>Reads <c>name: text</c> lines (comments start with ';').</summary>
    public static IReadOnlyList<(string Id, string Text)> ParseTranscripts(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var result = new List<(string, string)>();
        while (reader.ReadLine() is { } line)
        {
            var colon = line.IndexOf(':');
            if (line.StartsWith(';') || colon <= 0)
            {
                continue;
            }
            result.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }
        return result;
    }

    /// <summary>
    /// A transcript as words a recogniser should output: lower case, numbers spelled out ("press 1" → "press
    /// one"), '#' as "pound" and '*' as "star", other punctuation removed (apostrophes inside words kept);
    /// null for descriptions of non-speech ("[beep tone]") and empty texts.
    /// </summary>
    public static string? Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains('[', StringComparison.Ordinal) || text.Contains('<', StringComparison.Ordinal))
        {
            return null;
        }
        var words = new List<string>();
        var word = new StringBuilder();
        void Flush()
        {
            var w = word.ToString().Trim('\'');
            if (w.Length > 0)
            {
                words.Add(w.All(char.IsAsciiDigit) && w.Length <= 4 ? NumberWords(int.Parse(w, CultureInfo.InvariantCulture)) : w);
            }
            word.Clear();
        }
        foreach (var c in text.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c) || c == '\'')
            {
                word.Append(c);
            }
            else
            {
                Flush();
                if (c == '#')
                {
                    words.Add("pound");
                }
                else if (c == '*')
                {
                    words.Add("star");
                }
            }
        }
        Flush();
        var joined = string.Join(' ', words);
        return joined.Length == 0 ? null : joined;
    }

    /// <summary>An integer 0..9999 in words ("forty two", "one thousand two hundred five").</summary>
    public static string NumberWords(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, 9999);
        if (n < 20)
        {
            return Ones[n];
        }
        if (n < 100)
        {
            return n % 10 == 0 ? Tens[n / 10] : $"{Tens[n / 10]} {Ones[n % 10]}";
        }
        if (n < 1000)
        {
            return n % 100 == 0 ? $"{Ones[n / 100]} hundred" : $"{Ones[n / 100]} hundred {NumberWords(n % 100)}";
        }
        return n % 1000 == 0 ? $"{Ones[n / 1000]} thousand" : $"{Ones[n / 1000]} thousand {NumberWords(n % 1000)}";
    }

    /// <summary>Writes <c>test.tsv</c> and <c>finetune.tsv</c> (paths to the G.722 files; ffmpeg decodes them) and the spliced strings.</summary>
    /// <exception cref="FileNotFoundException">The transcripts or the digit recordings are missing (install asterisk-core-sounds-en and -g722).</exception>
    public static async Task<AsteriskPromptSummary> BuildAsync(AsteriskPromptOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(options.Transcripts))
        {
            throw new FileNotFoundException($"{options.Transcripts}: no such file; install asterisk-core-sounds-en (scripts/setup.sh)", options.Transcripts);
        }
        IReadOnlyList<(string Id, string Text)> transcripts;
        await using (var file = File.OpenRead(options.Transcripts))
        await using (var stream = options.Transcripts.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file)
        using (var reader = new StreamReader(stream))
        {
            transcripts = ParseTranscripts(reader);
        }
        string? Recording(string id) => Path.Combine(options.SoundsFolder, id + ".g722") is var p && File.Exists(p) ? p : null;

        var test = new List<(string Audio, string Text, string Subset)>();
        var digits = new float[10][];
        for (var d = 0; d < 10; d++)
        {
            var path = Recording($"digits/{d}") ?? throw new FileNotFoundException($"no recording digits/{d}.g722 in {options.SoundsFolder}; install asterisk-core-sounds-en-g722 (scripts/setup.sh)");
            test.Add((path, Ones[d], "real-digits"));
            digits[d] = await DecodeAsync(path, cancellationToken).ConfigureAwait(false);
        }
        Directory.CreateDirectory(Path.Combine(options.Output, "strings"));
        var random = new Random(options.Seed);
        for (var i = 0; i < options.DigitStrings; i++)
        {
            var spoken = Enumerable.Range(0, random.Next(2, 8)).Select(_ => random.Next(10)).ToList();
            var samples = new List<float>();
            foreach (var d in spoken)
            {
                samples.AddRange(digits[d]);
                samples.AddRange(new float[random.Next(0, 1600)]); // up to 100 ms more pause
            }
            var path = Path.GetFullPath(Path.Combine(options.Output, "strings", $"string-{i:D3}.wav"));
            WavWriter.WriteFile(path, new AudioBuffer([.. samples], 16000));
            test.Add((path, string.Join(' ', spoken.Select(d => Ones[d])), "real-digit-strings"));
        }
        var fineTune = new List<(string, string, string)>();
        var skipped = 0;
        var prompts = transcripts.Where(t => !t.Id.StartsWith("digits/", StringComparison.Ordinal) || !int.TryParse(t.Id["digits/".Length..], out var d) || d > 9)
            .OrderBy(t => t.Id, StringComparer.Ordinal).ToList();
        var kept = 0;
        foreach (var (id, text) in prompts)
        {
            if (Recording(id) is not { } path || Normalize(text) is not { } words)
            {
                skipped++;
                continue;
            }
            if (kept++ % 3 == 0)
            {
                test.Add((path, words, "real-prompts"));
            }
            else
            {
                fineTune.Add((path, words, "real-prompts-train"));
            }
        }
        Write(Path.Combine(options.Output, "test.tsv"), test);
        Write(Path.Combine(options.Output, "finetune.tsv"), fineTune);
        return new AsteriskPromptSummary(test.Count, fineTune.Count, skipped);
    }

    private static async Task<float[]> DecodeAsync(string path, CancellationToken cancellationToken)
        => (await FfmpegDecoder.DecodeAllAsync(path, 16000, 1, cancellationToken: cancellationToken).ConfigureAwait(false)).Samples;

    private static void Write(string path, IEnumerable<(string Audio, string Text, string Subset)> entries)
    {
        using var writer = new StreamWriter(path);
        writer.NewLine = "\n";
        foreach (var (audio, text, subset) in entries)
        {
            writer.WriteLine($"{audio}\t{text}\t{subset}");
        }
    }
}
