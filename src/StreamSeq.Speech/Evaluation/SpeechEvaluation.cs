using System.Diagnostics;
using StreamSeq.Audio.Baselines;
using StreamSeq.Audio.Data;
using StreamSeq.Audio.Wav;
using StreamSeq.Speech.Decoding;
using StreamSeq.Speech.Model;
using StreamSeq.Text.Metrics;

namespace StreamSeq.Speech.Evaluation;

/// <summary>How <see cref="SpeechEvaluation"/> scores a manifest.</summary>
public sealed record SpeechEvaluationOptions
{
    /// <summary>The model's decoders to score, in order.</summary>
    public IReadOnlyList<SpeechDecoding> Decodings { get; init; } = [new(SpeechDecoder.CtcGrammar)];

    /// <summary>Also run PocketSphinx on the same audio: a JSGF grammar for digit and grammar subsets, its general en-us LM for the rest.</summary>
    public bool PocketSphinx { get; init; } = true;

    /// <summary>Where PocketSphinx is installed.</summary>
    public PocketSphinxOptions PocketSphinxOptions { get; init; } = new();

    /// <summary>Utterances decoded per model call.</summary>
    public int BatchSize { get; init; } = 16;
}

/// <summary>
/// Scores a speech model on any <c>audio&lt;TAB&gt;text[&lt;TAB&gt;subset]</c> manifest: WER, CER and
/// sentence error of each decoder over the whole set and per subset, with PocketSphinx on the same audio in
/// the same run as the peer. PocketSphinx decodes each subset as what it is: digit strings under a digit
/// grammar, transcripts the model's grammar covers under that grammar, and anything else with its general
/// English trigram LM and full dictionary.
/// </summary>
public static class SpeechEvaluation
{
    /// <summary>Subset kind: every transcript is a digit string.</summary>
    public const string Digits = "digits";

    /// <summary>Subset kind: every transcript is in the model's grammar (digit strings and phrases).</summary>
    public const string Grammar = "grammar";

    /// <summary>Subset kind: open vocabulary.</summary>
    public const string Open = "open";

    /// <summary>Scores <paramref name="entries"/> (audio path, reference text, subset).</summary>
    /// <param name="model">The model.</param>
    /// <param name="modelName">The model's folder (for the report).</param>
    /// <param name="manifestName">The manifest's path (for the report).</param>
    /// <param name="entries">Utterances; a subset of "all" everywhere means the manifest names no subsets.</param>
    /// <param name="options">Decoders and peer.</param>
    /// <param name="log">Gets a line as each method starts.</param>
    /// <param name="cancellationToken">Stops between utterances and methods.</param>
    /// <exception cref="AudioFormatException">An audio file cannot be read (named).</exception>
    public static async Task<SpeechEvaluationReport> RunAsync(SpeechModel model, string modelName, string manifestName,
        IReadOnlyList<(string Audio, string Text, string Subset)> entries, SpeechEvaluationOptions options, TextWriter? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(options);
        var notes = new List<string>();
        var audio = new float[entries.Count][];
        for (var i = 0; i < entries.Count; i++)
        {
            audio[i] = await SpeechAudio.LoadAsync(entries[i].Audio, SpeechModel.SampleRate, cancellationToken).ConfigureAwait(false);
        }
        var seconds = audio.Select(a => a.Length / (double)SpeechModel.SampleRate).ToArray();
        var clock = Stopwatch.StartNew();
        var features = audio.Select(a => SpeechModel.Featurize(a)).ToList();
        var featureSeconds = clock.Elapsed.TotalSeconds;
        var subsets = entries.Select(e => e.Subset).Distinct(StringComparer.Ordinal).ToList();
        var kinds = subsets.ToDictionary(s => s, s => KindOf(entries.Where(e => e.Subset == s).Select(e => e.Text), model.Grammar), StringComparer.Ordinal);

        // Per method: one hypothesis per utterance and the seconds spent on each (time shared by audio length).
        var runs = new List<(string Name, string? Search, string[] Hypotheses, double[] Seconds)>();
        foreach (var decoding in options.Decodings)
        {
            var name = decoding.Name(model.Lm is not null);
            if (decoding.Decoder == SpeechDecoder.CtcGrammar && model.Grammar is null)
            {
                notes.Add($"{name}: skipped, the model has no grammar");
                continue;
            }
            log?.WriteLine($"eval speech: {name} on {entries.Count} utterances ({seconds.Sum():0} s of audio)");
            cancellationToken.ThrowIfCancellationRequested();
            clock.Restart();
            var hypotheses = new List<string>(entries.Count);
            for (var start = 0; start < features.Count; start += options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                hypotheses.AddRange(model.Transcribe([.. features.Skip(start).Take(options.BatchSize)], decoding).Select(t => t.Text));
            }
            var total = clock.Elapsed.TotalSeconds + featureSeconds;
            runs.Add((name, null, [.. hypotheses], Share(total, seconds, Enumerable.Range(0, entries.Count))));
        }
        if (options.PocketSphinx && entries.Count > 0)
        {
            var (sphinx, error) = await PocketSphinxAsync(model, entries, audio, subsets, kinds, seconds, options.PocketSphinxOptions, log, cancellationToken).ConfigureAwait(false);
            if (sphinx is { } run)
            {
                runs.Add(run);
            }
            else
            {
                notes.Add("pocketsphinx: skipped, " + error);
            }
        }
        SpeechSubsetScores Scores(string subset, IReadOnlyList<int> indices, string kind) => new(
            subset, indices.Count, Math.Round(indices.Sum(i => seconds[i]), 1), kind,
            [.. runs.Select(r => Score(r.Name, r.Search is null ? null : SearchesOf(indices.Select(i => entries[i].Subset), kinds), indices.Select(i => entries[i].Text), indices.Select(i => r.Hypotheses[i]), indices.Sum(i => r.Seconds[i]), indices.Sum(i => seconds[i])))]);
        var all = Enumerable.Range(0, entries.Count).ToList();
        var overallKind = kinds.Values.Distinct().Count() == 1 ? kinds.Values.First() : "mixed";
        var perSubset = subsets.Count == 1 && subsets[0] == "all"
            ? []
            : subsets.Select(s => Scores(s, [.. all.Where(i => entries[i].Subset == s)], kinds[s])).ToList();
        return new SpeechEvaluationReport(modelName, manifestName, Scores("all", all, entries.Count == 0 ? Open : overallKind), perSubset, notes);
    }

    /// <summary>
    /// What a set of transcripts is: <see cref="Digits"/> when every one is a string of digit words,
    /// <see cref="Grammar"/> when the model's grammar accepts every one, else <see cref="Open"/>.
    /// </summary>
    public static string KindOf(IEnumerable<string> transcripts, GrammarSpec? grammar)
    {
        var list = transcripts.Select(ErrorRate.Words).ToList();
        var digitWords = SpeechVocabulary.DigitWords.ToHashSet(StringComparer.Ordinal);
        if (list.Count > 0 && list.All(w => w.Length > 0 && w.All(digitWords.Contains)))
        {
            return Digits;
        }
        if (grammar is not null && list.Count > 0 && list.All(w =>
                (w.Length > 0 && w.Length <= grammar.MaxDigits && w.All(grammar.DigitWords.Contains))
                || grammar.Phrases.Contains(string.Join(' ', w), StringComparer.Ordinal)))
        {
            return Grammar;
        }
        return Open;
    }

    // One PocketSphinx run per subset (each with its own search), so each subset's time includes its own start-up.
    private static async Task<((string, string?, string[], double[])? Run, string? Error)> PocketSphinxAsync(SpeechModel model, IReadOnlyList<(string Audio, string Text, string Subset)> entries, float[][] audio,
        IReadOnlyList<string> subsets, IReadOnlyDictionary<string, string> kinds, double[] seconds, PocketSphinxOptions options, TextWriter? log, CancellationToken cancellationToken)
    {
        var hypotheses = new string[entries.Count];
        var spent = new double[entries.Count];
        foreach (var subset in subsets)
        {
            var indices = Enumerable.Range(0, entries.Count).Where(i => entries[i].Subset == subset).ToList();
            try
            {
                using var sphinx = CreatePocketSphinx(kinds[subset], model.Grammar, options);
                log?.WriteLine($"eval speech: pocketsphinx ({SearchName(kinds[subset])}) on {indices.Count} utterances of {subset}");
                // The samples already read (PocketSphinx gets the same audio, whatever the file format).
                var result = await sphinx.RecogniseSamplesAsync(indices.Select(i => audio[i]).ToList(), cancellationToken).ConfigureAwait(false);
                var share = Share(result.Elapsed.TotalSeconds, seconds, indices);
                for (var k = 0; k < indices.Count; k++)
                {
                    hypotheses[indices[k]] = result.Hypotheses[k];
                    spent[indices[k]] = share[indices[k]];
                }
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException or ArgumentException)
            {
                log?.WriteLine($"eval speech: pocketsphinx skipped: {e.Message}");
                return (null, e.Message);
            }
        }
        return (("pocketsphinx", "per-subset", hypotheses, spent), null);
    }

    private static PocketSphinx CreatePocketSphinx(string kind, GrammarSpec? grammar, PocketSphinxOptions options) => kind switch
    {
        // The same length bound as the model's own digit grammar, unbounded when it has none.
        Digits => PocketSphinx.Create(SpeechGrammar.DigitStrings(1, grammar is { MaxDigits: > 0 } g ? g.MaxDigits : int.MaxValue), options),
        Grammar => PocketSphinx.Create(new SpeechGrammar
        {
            Digits = grammar!.DigitWords.Count > 0 ? (1, grammar.MaxDigits) : SpeechGrammar.NoDigits,
            Phrases = grammar.Phrases,
        }, options),
        _ => PocketSphinx.CreateWithLanguageModel(options),
    };

    private static string SearchName(string kind) => kind switch
    {
        Digits => "jsgf-digits",
        Grammar => "jsgf-grammar",
        _ => "lm-en-us",
    };

    private static string SearchesOf(IEnumerable<string> subsets, IReadOnlyDictionary<string, string> kinds)
        => string.Join('+', subsets.Distinct(StringComparer.Ordinal).Select(s => SearchName(kinds[s])).Distinct(StringComparer.Ordinal));

    // A run's time shared among utterances in proportion to their audio length.
    private static double[] Share(double total, double[] seconds, IEnumerable<int> indices)
    {
        var list = indices.ToList();
        var audio = list.Sum(i => seconds[i]);
        var shares = new double[seconds.Length];
        foreach (var i in list)
        {
            shares[i] = audio > 0 ? total * seconds[i] / audio : total / list.Count;
        }
        return shares;
    }

    private static SpeechMethodScore Score(string method, string? search, IEnumerable<string> references, IEnumerable<string> hypotheses, double spent, double audioSeconds)
    {
        var errors = new ErrorRateAccumulator();
        foreach (var (reference, hypothesis) in references.Zip(hypotheses))
        {
            errors.Add(reference, hypothesis);
        }
        return new SpeechMethodScore(method, errors.Pairs, Math.Round(errors.Wer, 4), Math.Round(errors.Cer, 4), Math.Round(errors.SentenceErrorRate, 4),
            Math.Round(spent, 2), Math.Round(spent / Math.Max(audioSeconds, 1e-9), 4), search);
    }
}
