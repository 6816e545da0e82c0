using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using StreamSeq.Audio.Wav;

namespace StreamSeq.Audio.Baselines;

/// <summary>Where <see cref="PocketSphinx"/> finds its program and model, and how long a run may take.</summary>
public sealed record PocketSphinxOptions
{
    /// <summary>The decoder program; null: <see cref="PocketSphinx.DefaultExecutable"/>.</summary>
    public string? Executable { get; init; }

    /// <summary>Acoustic model folder (holds <c>mdef</c>); the Debian <c>pocketsphinx-en-us</c> model by default.</summary>
    public string ModelDirectory { get; init; } = "/usr/share/pocketsphinx/model/en-us/en-us";

    /// <summary>Full pronunciation dictionary the grammar's words are taken from.</summary>
    public string Dictionary { get; init; } = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";

    /// <summary>The general English trigram LM of <see cref="PocketSphinx.CreateWithLanguageModel"/> (Debian's <c>pocketsphinx-en-us</c>).</summary>
    public string LanguageModel { get; init; } = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin";

    /// <summary>Longest a run may take; null: 60 s plus 2 s per second of audio.</summary>
    public TimeSpan? Timeout { get; init; }
}

/// <summary>
/// PocketSphinx (CMU Sphinx, the Debian <c>pocketsphinx</c> 0.8 programs) as a baseline recogniser, either
/// grammar-constrained or with its general English LM (<see cref="CreateWithLanguageModel"/>, for open
/// vocabulary sentences). <see cref="Create"/> writes a JSGF grammar and a dictionary restricted to its words into a
/// private work folder (removed by <see cref="Dispose"/>); <see cref="RecogniseAsync"/> decodes many WAV
/// files in one run of <c>pocketsphinx_batch</c> (a control file listing them; each file is one utterance).
/// Inputs are converted here to what the model needs (16 kHz mono 16-bit PCM), whatever their format.
/// </summary>
/// <remarks>
/// <c>pocketsphinx_batch</c> rather than <c>pocketsphinx_continuous</c>: the latter takes one file per
/// process (<c>-infile</c>) and splits it at pauses into several hypotheses, while the batch program
/// decodes a whole list in one process, each file as one utterance, and writes one hypothesis line per
/// file. Runs on one instance may overlap: each uses its own subfolder.
/// </remarks>
public sealed partial class PocketSphinx : IDisposable
{
    /// <summary>The sample rate of the acoustic model.</summary>
    public const int SampleRate = 16000;

    /// <summary>What to install when the program or model is missing.</summary>
    public const string InstallHint = "install pocketsphinx pocketsphinx-en-us (apt-get install pocketsphinx pocketsphinx-en-us, or scripts/setup.sh)";

    // Shorter inputs are padded with silence: the front end needs a few frames.
    private const int MinimumSamples = SampleRate / 10;

    private readonly PocketSphinxOptions _options;
    private int _disposed;

    private PocketSphinx(SpeechGrammar? grammar, PocketSphinxOptions options, string executable, string workFolder)
    {
        Grammar = grammar;
        _options = options;
        Executable = executable;
        WorkFolder = workFolder;
    }

    /// <summary>The decoder program: <c>STREAMSEQ_POCKETSPHINX</c> if set, else <c>pocketsphinx_batch</c>.</summary>
    public static string DefaultExecutable => Environment.GetEnvironmentVariable("STREAMSEQ_POCKETSPHINX") is { Length: > 0 } custom ? custom : "pocketsphinx_batch";

    /// <summary>The grammar decoded under; null when decoding with the general language model.</summary>
    public SpeechGrammar? Grammar { get; }

    /// <summary>The decoder program run.</summary>
    public string Executable { get; }

    /// <summary>Private folder holding the grammar, the dictionary and each run's files; removed at dispose.</summary>
    public string WorkFolder { get; }

    /// <summary>The JSGF grammar file.</summary>
    public string GrammarFile => Path.Combine(WorkFolder, "grammar.jsgf");

    /// <summary>The restricted pronunciation dictionary.</summary>
    public string DictionaryFile => Path.Combine(WorkFolder, "words.dict");

    /// <summary>Checks the program and model, and writes the grammar and dictionary.</summary>
    /// <exception cref="InvalidOperationException">The program or the model is missing (the message says what to install).</exception>
    /// <exception cref="ArgumentException">The grammar is invalid, or uses words missing from the dictionary (named).</exception>
    public static PocketSphinx Create(SpeechGrammar grammar, PocketSphinxOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        options ??= new PocketSphinxOptions();
        var executable = CheckInstalled(options);
        var jsgf = grammar.ToJsgf();
        var dictionary = PronunciationDictionary.Restrict(options.Dictionary, grammar.Words());
        var recogniser = new PocketSphinx(grammar, options, executable, NewWorkFolder());
        try
        {
            File.WriteAllText(recogniser.GrammarFile, jsgf);
            File.WriteAllText(recogniser.DictionaryFile, dictionary);
            return recogniser;
        }
        catch
        {
            recogniser.Dispose();
            throw;
        }
    }

    /// <summary>A recogniser with the general English trigram LM and the full dictionary: any English words.</summary>
    /// <exception cref="InvalidOperationException">The program, the model or the LM is missing (the message says what to install).</exception>
    public static PocketSphinx CreateWithLanguageModel(PocketSphinxOptions? options = null)
    {
        options ??= new PocketSphinxOptions();
        var executable = CheckInstalled(options);
        if (!File.Exists(options.LanguageModel))
        {
            throw new InvalidOperationException($"PocketSphinx language model '{options.LanguageModel}' not found; {InstallHint}");
        }
        return new PocketSphinx(null, options, executable, NewWorkFolder());
    }

    private static string NewWorkFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "streamseq-pocketsphinx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string CheckInstalled(PocketSphinxOptions options)
    {
        var executable = options.Executable ?? DefaultExecutable;
        if (ResolveProgram(executable) is null)
        {
            throw new InvalidOperationException($"PocketSphinx program '{executable}' not found; {InstallHint}");
        }
        if (!File.Exists(Path.Combine(options.ModelDirectory, "mdef")))
        {
            throw new InvalidOperationException($"PocketSphinx acoustic model not found in '{options.ModelDirectory}' (no mdef); {InstallHint}");
        }
        if (!File.Exists(options.Dictionary))
        {
            throw new InvalidOperationException($"PocketSphinx dictionary '{options.Dictionary}' not found; {InstallHint}");
        }
        return executable;
    }

    /// <summary>
    /// Recognises each WAV file (any rate, channels and sample format <see cref="WavReader"/> reads) as one
    /// utterance, in one decoder run.
    /// </summary>
    /// <returns>One hypothesis per file, in order, with the run's timing.</returns>
    /// <exception cref="AudioFormatException">A file is not a readable WAV file (named).</exception>
    /// <exception cref="TimeoutException">The run took longer than <see cref="PocketSphinxOptions.Timeout"/>; the decoder was killed.</exception>
    /// <exception cref="InvalidOperationException">The decoder failed or gave no hypothesis for a file (its log's errors are in the message).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the decoder was killed.</exception>
    public Task<PocketSphinxResult> RecogniseAsync(IReadOnlyList<string> wavFiles, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(wavFiles);
        return RecogniseCoreAsync(wavFiles.Count, i => WavReader.ReadFile(wavFiles[i]).ToMono().Resample(SampleRate).Samples, i => wavFiles[i], cancellationToken);
    }

    /// <summary>
    /// Recognises each mono signal at <see cref="SampleRate"/> (audio already decoded, from any source) as one
    /// utterance, in one decoder run.
    /// </summary>
    /// <returns>One hypothesis per signal, in order, with the run's timing.</returns>
    /// <exception cref="TimeoutException">The run took longer than <see cref="PocketSphinxOptions.Timeout"/>; the decoder was killed.</exception>
    /// <exception cref="InvalidOperationException">The decoder failed or gave no hypothesis for a signal.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the decoder was killed.</exception>
    public Task<PocketSphinxResult> RecogniseSamplesAsync(IReadOnlyList<float[]> signals, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signals);
        return RecogniseCoreAsync(signals.Count, i => signals[i], i => $"signal {i}", cancellationToken);
    }

    private async Task<PocketSphinxResult> RecogniseCoreAsync(int count, Func<int, float[]> samplesOf, Func<int, string> nameOf, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var total = Stopwatch.StartNew();
        if (count == 0)
        {
            return new PocketSphinxResult([], TimeSpan.Zero, TimeSpan.Zero, 0);
        }
        var run = Path.Combine(WorkFolder, "run-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(run);
        try
        {
            var audioSeconds = 0.0;
            var ids = new string[count];
            for (var i = 0; i < count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ids[i] = "u" + i.ToString("D6", CultureInfo.InvariantCulture);
                audioSeconds += WriteRaw(samplesOf(i), Path.Combine(run, ids[i] + ".raw"));
            }
            var control = Path.Combine(run, "files.ctl");
            var hypotheses = Path.Combine(run, "hypotheses.txt");
            var log = Path.Combine(run, "pocketsphinx.log");
            await File.WriteAllLinesAsync(control, ids, cancellationToken).ConfigureAwait(false);
            string[] arguments =
            [
                "-hmm", _options.ModelDirectory,
                .. Grammar is null ? (string[])["-dict", _options.Dictionary, "-lm", _options.LanguageModel] : ["-dict", DictionaryFile, "-jsgf", GrammarFile],
                "-samprate", SampleRate.ToString(CultureInfo.InvariantCulture),
                "-adcin", "yes", "-adchdr", "0", "-cepdir", run, "-cepext", ".raw",
                "-ctl", control, "-hyp", hypotheses, "-logfn", log,
            ];
            var timeout = _options.Timeout ?? TimeSpan.FromSeconds(60 + (2 * audioSeconds));
            var decode = Stopwatch.StartNew();
            await RunAsync(arguments, log, timeout, count, cancellationToken).ConfigureAwait(false);
            decode.Stop();
            var texts = ReadHypotheses(hypotheses, log, ids, nameOf);
            return new PocketSphinxResult(texts, total.Elapsed, decode.Elapsed, audioSeconds);
        }
        finally
        {
            TryDelete(run);
        }
    }

    /// <summary>Removes the work folder (idempotent).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            TryDelete(WorkFolder);
        }
    }

    /// <summary>Parses one hypothesis line, <c>words (utterance-id score)</c>.</summary>
    /// <returns>The utterance id and its words (lower case, fillers and pronunciation suffixes removed); null if the line is not a hypothesis.</returns>
    internal static (string Id, string Text)? ParseHypothesis(string line)
    {
        var match = HypothesisLine().Match(line);
        if (!match.Success)
        {
            return null;
        }
        var words = match.Groups["text"].Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w is not "(null)" && !w.StartsWith('<') && !w.StartsWith('[') && !w.StartsWith("++", StringComparison.Ordinal))
            .Select(w => PronunciationDictionary.BaseWord(w).ToLowerInvariant());
        return (match.Groups["id"].Value, string.Join(' ', words));
    }

    [GeneratedRegex(@"^(?<text>.*?)\s*\((?<id>[^\s()]+)\s+-?\d+\)\s*$")]
    private static partial Regex HypothesisLine();

    private static double WriteRaw(float[] samples, string raw)
    {
        var seconds = samples.Length / (double)SampleRate;
        if (samples.Length < MinimumSamples)
        {
            Array.Resize(ref samples, MinimumSamples);
        }
        var bytes = new byte[samples.Length * 2];
        SampleCodec.Encode(samples, bytes, WavSampleFormat.Pcm16);
        File.WriteAllBytes(raw, bytes);
        return seconds;
    }

    private async Task RunAsync(string[] arguments, string log, TimeSpan timeout, int files, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {Executable}");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"cannot run '{Executable}' ({e.Message}); {InstallHint}", e);
        }
        using (process)
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            limit.CancelAfter(timeout);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                cancellationToken.ThrowIfCancellationRequested();
                throw new TimeoutException($"{Executable} did not finish {files} files within {timeout.TotalSeconds:0.#} s; killed");
            }
            var errors = (await stderr.ConfigureAwait(false)).Trim();
            await stdout.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{Executable} failed (exit {process.ExitCode}): {LogErrors(log, errors)}");
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private static string[] ReadHypotheses(string path, string log, string[] ids, Func<int, string> nameOf)
    {
        var byId = new Dictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                if (ParseHypothesis(line) is { } h)
                {
                    byId[h.Id] = h.Text;
                }
            }
        }
        var texts = new string[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            if (!byId.TryGetValue(ids[i], out var text))
            {
                throw new InvalidOperationException($"PocketSphinx gave no hypothesis for {nameOf(i)}: {LogErrors(log, "")}");
            }
            texts[i] = text;
        }
        return texts;
    }

    private static string LogErrors(string log, string stderr)
    {
        var lines = File.Exists(log)
            ? File.ReadLines(log).Where(l => l.StartsWith("ERROR", StringComparison.Ordinal) || l.StartsWith("FATAL", StringComparison.Ordinal)).TakeLast(5).ToList()
            : [];
        if (stderr.Length > 0)
        {
            lines.Add(stderr.Length > 500 ? stderr[^500..] : stderr);
        }
        return lines.Count == 0 ? "no error in its log" : string.Join(" | ", lines);
    }

    private static string? ResolveProgram(string program)
    {
        if (program.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return File.Exists(program) ? program : null;
        }
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a file still open elsewhere leaves the folder in the temp directory.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
