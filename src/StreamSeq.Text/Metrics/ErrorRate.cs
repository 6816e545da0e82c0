namespace StreamSeq.Text.Metrics;

/// <summary>
/// Word and character error rates by minimum Levenshtein alignment (substitution, deletion and insertion
/// each cost 1). <see cref="Words"/> and <see cref="CharacterEdits"/> normalise their text first: lower case
/// (invariant culture), and runs of whitespace as one space with none at either end; the characters scored
/// by CER include those single spaces between words. For a corpus, sum the <see cref="EditCounts"/> of its
/// pairs (or use <see cref="ErrorRateAccumulator"/>): total edits over total reference length.
/// </summary>
public static class ErrorRate
{
    /// <summary>The normalised words of a text: lower case, split on whitespace.</summary>
    public static string[] Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>A text lower-cased, with whitespace runs collapsed to one space and none at either end.</summary>
    public static string Normalize(string text) => string.Join(' ', Words(text));

    /// <summary>Word edit counts of a hypothesis against a reference, after normalisation.</summary>
    public static EditCounts WordEdits(string reference, string hypothesis) => Count<string>(Words(reference), Words(hypothesis), StringComparer.Ordinal);

    /// <summary>Character edit counts of a hypothesis against a reference, after normalisation.</summary>
    public static EditCounts CharacterEdits(string reference, string hypothesis) => Count<char>(Normalize(reference).AsSpan(), Normalize(hypothesis).AsSpan());

    /// <summary>Word error rate of one pair (see <see cref="EditCounts.Rate"/> for an empty reference).</summary>
    public static double Wer(string reference, string hypothesis) => WordEdits(reference, hypothesis).Rate;

    /// <summary>Character error rate of one pair (see <see cref="EditCounts.Rate"/> for an empty reference).</summary>
    public static double Cer(string reference, string hypothesis) => CharacterEdits(reference, hypothesis).Rate;

    /// <summary>Edit counts of any two token sequences, compared as given (no normalisation).</summary>
    public static EditCounts Count<T>(ReadOnlySpan<T> reference, ReadOnlySpan<T> hypothesis, IEqualityComparer<T>? comparer = null)
    {
        int substitutions = 0, deletions = 0, insertions = 0;
        foreach (var step in Align(reference, hypothesis, comparer))
        {
            switch (step.Kind)
            {
                case EditKind.Substitution: substitutions++; break;
                case EditKind.Deletion: deletions++; break;
                case EditKind.Insertion: insertions++; break;
            }
        }
        return new EditCounts(substitutions, deletions, insertions, reference.Length);
    }

    /// <summary>
    /// A minimum-cost alignment of two token sequences, in order. Among equal-cost alignments it prefers,
    /// walking back from the ends, a match or substitution, then a deletion, then an insertion.
    /// Time and memory are O(reference × hypothesis).
    /// </summary>
    public static IReadOnlyList<EditOperation> Align<T>(ReadOnlySpan<T> reference, ReadOnlySpan<T> hypothesis, IEqualityComparer<T>? comparer = null)
    {
        comparer ??= EqualityComparer<T>.Default;
        int n = reference.Length, m = hypothesis.Length, width = m + 1;
        var cost = new int[(n + 1) * width];
        for (var j = 0; j <= m; j++)
        {
            cost[j] = j;
        }
        for (var i = 1; i <= n; i++)
        {
            cost[i * width] = i;
            for (var j = 1; j <= m; j++)
            {
                var diagonal = cost[((i - 1) * width) + j - 1] + (comparer.Equals(reference[i - 1], hypothesis[j - 1]) ? 0 : 1);
                var up = cost[((i - 1) * width) + j] + 1;
                var left = cost[(i * width) + j - 1] + 1;
                cost[(i * width) + j] = Math.Min(diagonal, Math.Min(up, left));
            }
        }
        var steps = new List<EditOperation>(Math.Max(n, m));
        for (int i = n, j = m; i > 0 || j > 0;)
        {
            var here = cost[(i * width) + j];
            if (i > 0 && j > 0)
            {
                var equal = comparer.Equals(reference[i - 1], hypothesis[j - 1]);
                if (here == cost[((i - 1) * width) + j - 1] + (equal ? 0 : 1))
                {
                    steps.Add(new EditOperation(equal ? EditKind.Match : EditKind.Substitution, i - 1, j - 1));
                    i--;
                    j--;
                    continue;
                }
            }
            if (i > 0 && here == cost[((i - 1) * width) + j] + 1)
            {
                steps.Add(new EditOperation(EditKind.Deletion, i - 1, -1));
                i--;
            }
            else
            {
                steps.Add(new EditOperation(EditKind.Insertion, -1, j - 1));
                j--;
            }
        }
        steps.Reverse();
        return steps;
    }

    /// <summary>Levenshtein distance of two strings as given (no normalisation), in O(|b|) memory.</summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
