namespace StreamSeq.Text.Metrics;

/// <summary>
/// Corpus word and character error rates: <see cref="Add"/> each (reference, hypothesis) pair; the rates
/// are total edits over total reference length (not a mean of per-pair rates). Not thread-safe.
/// </summary>
public sealed class ErrorRateAccumulator
{
    /// <summary>Pairs added.</summary>
    public int Pairs { get; private set; }

    /// <summary>Pairs whose normalised hypothesis differs from the normalised reference.</summary>
    public int WrongPairs { get; private set; }

    /// <summary>Summed word edit counts.</summary>
    public EditCounts Words { get; private set; }

    /// <summary>Summed character edit counts.</summary>
    public EditCounts Characters { get; private set; }

    /// <summary>Corpus word error rate.</summary>
    public double Wer => Words.Rate;

    /// <summary>Corpus character error rate.</summary>
    public double Cer => Characters.Rate;

    /// <summary>Fraction of pairs not transcribed exactly (sentence error rate); 0 when empty.</summary>
    public double SentenceErrorRate => WrongPairs / (double)Math.Max(1, Pairs);

    /// <summary>Scores one pair (see <see cref="ErrorRate"/> for the normalisation); null counts as empty.</summary>
    /// <returns>The pair's word edit counts.</returns>
    public EditCounts Add(string reference, string? hypothesis)
    {
        ArgumentNullException.ThrowIfNull(reference);
        hypothesis ??= "";
        var words = ErrorRate.WordEdits(reference, hypothesis);
        Words += words;
        Characters += ErrorRate.CharacterEdits(reference, hypothesis);
        Pairs++;
        WrongPairs += ErrorRate.Normalize(reference) == ErrorRate.Normalize(hypothesis) ? 0 : 1;
        return words;
    }
}
