using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using StreamSeq.Audio.Wav;

namespace StreamSeq.Audio.Data;

/// <summary>One synthesised utterance as listed in a manifest.</summary>
/// <param name="Path">WAV path relative to the output directory.</param>
/// <param name="Text">What is said (lower case words).</param>
/// <param name="Voice">espeak-ng voice+variant, or <c>festival:</c> and a festival voice name (see <see cref="SpeechVoices"/>).</param>
/// <param name="Speed">Words per minute (festival: its duration stretch is 170 / this).</param>
/// <param name="Pitch">espeak-ng pitch (festival voices keep their own).</param>
/// <param name="SnrDb">Signal-to-noise ratio of added noise; null for none.</param>
/// <param name="Reverb">Whether reverberation was added.</param>
public sealed record SpeechUtterance(string Path, string Text, string Voice, int Speed, int Pitch, double? SnrDb, bool Reverb);

/// <summary>
/// Synthesises a speech data set with espeak-ng and festival: connected digit strings and short command
/// phrases from a fixed vocabulary, spoken by many voices at random speeds (and espeak pitches), with noise
/// and reverberation added here after reading the synthesizer's WAV. Training and test sets use disjoint
/// voices. Every random choice derives from the seed and the utterance's index, so the same options give the
/// same data at any parallelism. Manifests carry the voice family (<see cref="SpeechVoices.Family"/>) as a
/// third column, so evaluation can report each family apart.
/// </summary>
public sealed class SpeechDataGenerator
{
    private readonly SpeechDataOptions _options;

    /// <summary>Creates a generator.</summary>
    public SpeechDataGenerator(SpeechDataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TrainVoices.Intersect(options.TestVoices).FirstOrDefault() is { } shared)
        {
            throw new ArgumentException($"voice '{shared}' is in both the training and the test voices");
        }
        _options = options;
    }

    /// <summary>The espeak-ng executable: <c>STREAMSEQ_ESPEAK</c> if set, else <c>espeak-ng</c>.</summary>
    public static string Executable => Environment.GetEnvironmentVariable("STREAMSEQ_ESPEAK") is { Length: > 0 } custom ? custom : "espeak-ng";

    /// <summary>The festival executable: <c>STREAMSEQ_FESTIVAL</c> if set, else <c>festival</c>.</summary>
    public static string FestivalExecutable => Environment.GetEnvironmentVariable("STREAMSEQ_FESTIVAL") is { Length: > 0 } custom ? custom : "festival";

    // Utterances per festival process.
    private const int FestivalGroup = 40;

    /// <summary>Generates both splits; <paramref name="progress"/> gets (done, total) after each utterance.</summary>
    /// <returns>The utterances of the train and test manifests.</returns>
    public async Task<(IReadOnlyList<SpeechUtterance> Train, IReadOnlyList<SpeechUtterance> Test)> GenerateAsync(IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.Combine(_options.Output, "train"));
        Directory.CreateDirectory(Path.Combine(_options.Output, "test"));
        var plan = Enumerable.Range(0, _options.TrainCount).Select(i => Plan("train", i, _options.TrainVoices))
            .Concat(Enumerable.Range(0, _options.TestCount).Select(i => Plan("test", i, _options.TestVoices))).ToList();
        // espeak-ng starts in milliseconds: one process per utterance. festival takes about a second to start
        // and load a voice, so its utterances go in groups of one voice, one process per group.
        var work = plan.Where(p => !SpeechVoices.IsFestival(p.Utterance.Voice)).Select(p => new[] { p })
            .Concat(plan.Where(p => SpeechVoices.IsFestival(p.Utterance.Voice)).GroupBy(p => p.Utterance.Voice).SelectMany(g => g.Chunk(FestivalGroup)))
            .ToList();
        var done = 0;
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = cancellationToken }, async (items, token) =>
        {
            if (SpeechVoices.IsFestival(items[0].Utterance.Voice))
            {
                await SynthesiseFestivalAsync(items, token).ConfigureAwait(false);
            }
            else
            {
                await SynthesiseAsync(items[0].Utterance, items[0].Random, token).ConfigureAwait(false);
            }
            foreach (var _ in items)
            {
                progress?.Report((Interlocked.Increment(ref done), plan.Count));
            }
        }).ConfigureAwait(false);
        var train = plan.Take(_options.TrainCount).Select(p => p.Utterance).ToList();
        var test = plan.Skip(_options.TrainCount).Select(p => p.Utterance).ToList();
        WriteManifest(Path.Combine(_options.Output, "train.tsv"), train);
        WriteManifest(Path.Combine(_options.Output, "test.tsv"), test);
        return (train, test);
    }

    /// <summary>Reads an <c>audio&lt;TAB&gt;text[&lt;TAB&gt;subset]</c> manifest; audio paths are resolved against its directory; the subset is dropped.</summary>
    public static IReadOnlyList<(string Audio, string Text)> ReadManifest(string path)
        => [.. ReadManifestWithSubsets(path).Select(e => (e.Audio, e.Text))];

    /// <summary>
    /// Reads an <c>audio&lt;TAB&gt;text[&lt;TAB&gt;subset]</c> manifest; audio paths are resolved against its
    /// directory; a line without a third column has the subset "all".
    /// </summary>
    public static IReadOnlyList<(string Audio, string Text, string Subset)> ReadManifestWithSubsets(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var result = new List<(string, string, string)>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var tab = line.IndexOf('\t');
            if (tab <= 0)
            {
                throw new InvalidDataException($"{path}:{number}: expected 'audio<TAB>text'");
            }
            var rest = line[(tab + 1)..];
            var second = rest.IndexOf('\t');
            var text = second < 0 ? rest : rest[..second];
            var subset = second < 0 ? "all" : rest[(second + 1)..].Trim();
            result.Add((Path.GetFullPath(line[..tab], directory), text, subset.Length == 0 ? "all" : subset));
        }
        return result;
    }

    private (SpeechUtterance Utterance, Random Random) Plan(string split, int index, IReadOnlyList<string> voices)
    {
        // One generator per utterance, seeded by (seed, split, index): independent of scheduling.
        // (HashCode.Combine is salted per process, so it cannot derive seeds that must hold across runs.)
        var random = new Random(Mix(_options.Seed, split == "train" ? 1 : 2, index));
        string text;
        if (random.NextDouble() < _options.CommandShare)
        {
            text = SpeechVocabulary.Commands[random.Next(SpeechVocabulary.Commands.Count)];
        }
        else
        {
            var length = random.Next(_options.Digits.Min, _options.Digits.Max + 1);
            text = string.Join(' ', Enumerable.Range(0, length).Select(_ => SpeechVocabulary.DigitWords[random.Next(10)]));
        }
        // With both families listed, the family is drawn first (festival has few voices, espeak many); a list
        // of one family draws nothing extra, so espeak-only sets are the same as before festival was added.
        var festival = voices.Where(SpeechVoices.IsFestival).ToList();
        var pool = festival.Count > 0 && festival.Count < voices.Count
            ? (random.NextDouble() < _options.FestivalShare ? festival : [.. voices.Where(v => !SpeechVoices.IsFestival(v))])
            : voices;
        var voice = pool[random.Next(pool.Count)];
        var speed = random.Next(_options.Speed.Min, _options.Speed.Max + 1);
        var pitch = random.Next(_options.Pitch.Min, _options.Pitch.Max + 1);
        double? snr = random.NextDouble() < _options.NoiseShare ? _options.SnrDb.Min + (random.NextDouble() * (_options.SnrDb.Max - _options.SnrDb.Min)) : null;
        var reverb = random.NextDouble() < _options.ReverbShare;
        var path = $"{split}/{split}-{index:D5}.wav";
        return (new SpeechUtterance(path, text, voice, speed, pitch, snr, reverb), random);
    }

    /// <summary>A fixed integer mix (SplitMix64's finaliser) of the seed, split and index.</summary>
    internal static int Mix(int seed, int split, int index)
    {
        var z = unchecked(((ulong)(uint)seed << 32) ^ ((ulong)(uint)split << 24) ^ (uint)index) + 0x9E3779B97F4A7C15UL;
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (int)(z & int.MaxValue);
    }

    private async Task SynthesiseAsync(SpeechUtterance u, Random random, CancellationToken cancellationToken)
    {
        var target = Path.Combine(_options.Output, u.Path);
        var raw = target + ".espeak.wav";
        try
        {
            await RunEspeakAsync(["-v", u.Voice, "-s", u.Speed.ToString(CultureInfo.InvariantCulture), "-p", u.Pitch.ToString(CultureInfo.InvariantCulture), "-w", raw, u.Text], cancellationToken).ConfigureAwait(false);
            var audio = WavReader.ReadFile(raw).ToMono().Resample(_options.SampleRate);
            var samples = Augment(audio.Samples, u, random);
            WavWriter.WriteFile(target, new AudioBuffer(samples, _options.SampleRate));
        }
        finally
        {
            File.Delete(raw);
        }
    }

    private async Task SynthesiseFestivalAsync(IReadOnlyList<(SpeechUtterance Utterance, Random Random)> items, CancellationToken cancellationToken)
    {
        var voice = SpeechVoices.FestivalVoice(items[0].Utterance.Voice);
        var script = new System.Text.StringBuilder();
        script.Append(CultureInfo.InvariantCulture, $"(voice_{voice})\n");
        var raws = new List<string>(items.Count);
        foreach (var (u, _) in items)
        {
            var raw = Path.GetFullPath(Path.Combine(_options.Output, u.Path + ".festival.wav"));
            raws.Add(raw);
            script.Append(CultureInfo.InvariantCulture, $"(Parameter.set 'Duration_Stretch {170.0 / u.Speed:0.###})\n");
            script.Append(CultureInfo.InvariantCulture, $"(utt.save.wave (utt.synth (Utterance Text \"{u.Text}\")) \"{raw}\" 'riff)\n");
        }
        var scriptPath = raws[0] + ".scm";
        try
        {
            await File.WriteAllTextAsync(scriptPath, script.ToString(), cancellationToken).ConfigureAwait(false);
            await RunAsync(FestivalExecutable, ["--batch", scriptPath], "install festival and its voices (scripts/setup.sh)", cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < items.Count; i++)
            {
                if (!File.Exists(raws[i]))
                {
                    throw new InvalidOperationException($"{FestivalExecutable} wrote no audio for '{items[i].Utterance.Text}' with voice {voice}");
                }
                var audio = WavReader.ReadFile(raws[i]).ToMono().Resample(_options.SampleRate);
                var samples = Augment(audio.Samples, items[i].Utterance, items[i].Random);
                WavWriter.WriteFile(Path.Combine(_options.Output, items[i].Utterance.Path), new AudioBuffer(samples, _options.SampleRate));
            }
        }
        finally
        {
            File.Delete(scriptPath);
            foreach (var raw in raws)
            {
                File.Delete(raw);
            }
        }
    }

    private float[] Augment(float[] speech, SpeechUtterance u, Random random)
    {
        var rate = _options.SampleRate;
        // Silence around the speech (a live VAD sees onsets), then level, reverberation and noise.
        var lead = (int)(rate * (0.1 + (random.NextDouble() * 0.3)));
        var tail = (int)(rate * (0.1 + (random.NextDouble() * 0.3)));
        var signal = new float[lead + speech.Length + tail];
        var peak = speech.Length == 0 ? 0 : speech.Max(Math.Abs);
        var gain = peak > 0 ? (float)((0.3 + (random.NextDouble() * 0.5)) / peak) : 1f;
        for (var i = 0; i < speech.Length; i++)
        {
            signal[lead + i] = speech[i] * gain;
        }
        if (u.Reverb)
        {
            signal = AudioEffects.Reverberate(signal, rate, roomSize: 0.3 + (random.NextDouble() * 0.6), wet: 0.15 + (random.NextDouble() * 0.25));
        }
        if (u.SnrDb is { } snr)
        {
            AudioEffects.AddNoise(signal, speechRms: AudioMath.Rms(signal.AsSpan(lead, speech.Length)), snr, random, pink: random.NextDouble() < 0.5);
        }
        var top = signal.Length == 0 ? 0 : signal.Max(Math.Abs);
        if (top > 0.99f)
        {
            var scale = 0.99f / top;
            for (var i = 0; i < signal.Length; i++)
            {
                signal[i] *= scale;
            }
        }
        return signal;
    }

    private static Task RunEspeakAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        => RunAsync(Executable, arguments, "install espeak-ng (apt-get install espeak-ng)", cancellationToken);

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, string installHint, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"cannot run '{program}' ({e.Message}); {installHint}", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            var message = (await stderr.ConfigureAwait(false)).Trim();
            await stdout.ConfigureAwait(false);
            if (process.ExitCode != 0 || message.Contains("Error", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed (exit {process.ExitCode}): {message}");
            }
        }
    }

    private static void WriteManifest(string path, IEnumerable<SpeechUtterance> utterances)
    {
        using var writer = new StreamWriter(path);
        writer.NewLine = "\n";
        foreach (var u in utterances)
        {
            writer.WriteLine($"{u.Path}\t{u.Text}\t{SpeechVoices.Family(u.Voice)}");
        }
    }
}
