using StreamSeq.Text.Metrics;

namespace StreamSeq.Ocr.Model;

/// <summary>Character and line error rates of transcriptions against references, and throughput.</summary>
/// <param name="Lines">Lines scored.</param>
/// <param name="Cer">Character error rate: total edit distance / total reference characters.</param>
/// <param name="LineError">Fraction of lines not read exactly.</param>
/// <param name="NoReading">Lines with no reading (they count as all characters deleted).</param>
/// <param name="LinesPerSecond">Lines read per second of wall-clock time, image loading included.</param>
public sealed record OcrMetrics(int Lines, double Cer, double LineError, int NoReading, double LinesPerSecond)
{
    /// <summary>Scores hypotheses against references.</summary>
    public static OcrMetrics Score(IReadOnlyList<string> references, IReadOnlyList<string?> hypotheses, double seconds)
    {
        if (references.Count != hypotheses.Count)
        {
            throw new ArgumentException("one hypothesis per reference is needed", nameof(hypotheses));
        }
        long edits = 0, characters = 0;
        var wrong = 0;
        var none = 0;
        for (var i = 0; i < references.Count; i++)
        {
            var hypothesis = hypotheses[i] ?? "";
            none += hypotheses[i] is null ? 1 : 0;
            edits += EditDistance(references[i], hypothesis);
            characters += references[i].Length;
            wrong += references[i] == hypothesis ? 0 : 1;
        }
        return new OcrMetrics(references.Count,
            Math.Round(edits / (double)Math.Max(1, characters), 4),
            Math.Round(wrong / (double)Math.Max(1, references.Count), 4),
            none,
            Math.Round(references.Count / Math.Max(1e-9, seconds), 1));
    }

    /// <summary>Levenshtein distance (insertions, deletions and substitutions cost 1), case-sensitive, no normalisation.</summary>
    public static int EditDistance(string a, string b) => ErrorRate.Distance(a, b);
}
