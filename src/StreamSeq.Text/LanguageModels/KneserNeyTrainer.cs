namespace StreamSeq.Text.LanguageModels;

/// <summary>
/// Trains an n-gram model with interpolated modified Kneser-Ney smoothing (Chen &amp; Goodman 1998): three
/// discounts per order (for counts 1, 2 and 3+) estimated from counts of counts; the highest order uses
/// raw counts, lower orders continuation counts (how many distinct words precede the n-gram; raw counts for
/// n-grams that start with &lt;s&gt;, which nothing precedes); unigrams are interpolated with the uniform
/// distribution, so unseen words (&lt;unk&gt;) keep some mass. The interpolated probabilities are stored
/// with back-off weights, which makes the result an exact ARPA model.
/// </summary>
public static class KneserNeyTrainer
{
    /// <summary>Trains a model of <paramref name="order"/> on tokenised sentences (without &lt;s&gt;/&lt;/s&gt;).</summary>
    /// <param name="sentences">Each sentence's tokens (words, or characters from <see cref="LmTokens"/>).</param>
    /// <param name="order">The n of the model (1 or more).</param>
    /// <param name="minCount">Words seen fewer times become &lt;unk&gt;.</param>
    /// <param name="vocabulary">Extra words to include even if unseen (e.g. a tokenizer's whole alphabet).</param>
    public static NGramModel Train(IEnumerable<IReadOnlyList<string>> sentences, int order, int minCount = 1, IEnumerable<string>? vocabulary = null)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        const string bos = "<s>", eos = "</s>", unk = "<unk>";
        var data = sentences.Select(s => s.ToArray()).ToList();
        var wordCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var sentence in data)
        {
            foreach (var w in sentence)
            {
                if (w is bos or eos)
                {
                    throw new ArgumentException($"sentences must not contain {bos} or {eos}; they are added", nameof(sentences));
                }
                wordCounts[w] = wordCounts.GetValueOrDefault(w) + 1;
            }
        }
        var words = new SortedSet<string>(wordCounts.Where(kv => kv.Value >= minCount).Select(kv => kv.Key), StringComparer.Ordinal);
        foreach (var w in vocabulary ?? [])
        {
            words.Add(w);
        }
        words.Remove(unk);
        var model = new NGramModel([unk, bos, eos, .. words], order, bos, eos, unk);
        int bosId = model.BosId, eosId = model.EndId, unkId = model.UnkId;

        // Raw counts of every n-gram of each order in the padded sentences (never predicting <s>).
        var counts = new Dictionary<Gram, long>[order + 1];
        for (var k = 1; k <= order; k++)
        {
            counts[k] = [];
        }
        foreach (var sentence in data)
        {
            var ids = new int[sentence.Length + 2];
            ids[0] = bosId;
            for (var i = 0; i < sentence.Length; i++)
            {
                ids[i + 1] = model.Contains(sentence[i]) ? model.IdOf(sentence[i]) : unkId;
            }
            ids[^1] = eosId;
            for (var end = 1; end < ids.Length; end++)
            {
                for (var k = 1; k <= order && end - k + 1 >= 0; k++)
                {
                    var gram = new Gram(ids.AsSpan(end - k + 1, k).ToArray());
                    counts[k][gram] = counts[k].GetValueOrDefault(gram) + 1;
                }
            }
        }

        // Adjusted counts: raw at the top order and for n-grams starting with <s>, else continuation counts.
        var adjusted = new Dictionary<Gram, long>[order + 1];
        adjusted[order] = new Dictionary<Gram, long>(counts[order]);
        for (var k = order - 1; k >= 1; k--)
        {
            var continuation = new Dictionary<Gram, long>();
            foreach (var longer in counts[k + 1].Keys)
            {
                var suffix = longer.Suffix();
                continuation[suffix] = continuation.GetValueOrDefault(suffix) + 1;
            }
            adjusted[k] = [];
            foreach (var (gram, raw) in counts[k])
            {
                adjusted[k][gram] = gram.Words[0] == bosId ? raw : continuation.GetValueOrDefault(gram, raw);
            }
        }

        // Unigram <s> is a context only: it is never predicted.
        var bosGram = new Gram([bosId]);
        adjusted[1].Remove(bosGram);

        var discounts = new double[order + 1][];
        for (var k = 1; k <= order; k++)
        {
            discounts[k] = Discounts(adjusted[k].Values);
        }

        // Context statistics per order: total adjusted count and how many continuations have count 1, 2, 3+.
        var probabilities = new Dictionary<Gram, double>[order + 1];
        var gammas = new Dictionary<Gram, double>[order + 1];
        var uniform = 1.0 / (model.Words.Count - 1); // every word but <s>
        for (var k = 1; k <= order; k++)
        {
            var stats = new Dictionary<Gram, (long Total, double Discounted)>();
            foreach (var (gram, a) in adjusted[k])
            {
                var context = gram.Prefix();
                var s = stats.GetValueOrDefault(context);
                stats[context] = (s.Total + a, s.Discounted + Discount(discounts[k], a));
            }
            gammas[k] = stats.ToDictionary(kv => kv.Key, kv => kv.Value.Discounted / kv.Value.Total);
            probabilities[k] = [];
            foreach (var (gram, a) in adjusted[k])
            {
                var context = gram.Prefix();
                var (total, _) = stats[context];
                var lower = k == 1 ? uniform : probabilities[k - 1][gram.Suffix()];
                probabilities[k][gram] = ((a - Discount(discounts[k], a)) / total) + (gammas[k][context] * lower);
            }
        }

        // Store: unigrams (all words, unseen ones with the uniform share), then each order.
        var rootGamma = gammas[1].GetValueOrDefault(Gram.Empty, 1.0);
        for (var id = 0; id < model.Words.Count; id++)
        {
            var gram = new Gram([id]);
            var log10 = id == bosId ? NGramModel.NeverLog10
                : Math.Log10(probabilities[1].TryGetValue(gram, out var p) ? p : rootGamma * uniform);
            model.Add(gram.Words, log10, order > 1 && gammas[2].TryGetValue(gram, out var g) ? Math.Log10(g) : 0);
        }
        for (var k = 2; k <= order; k++)
        {
            foreach (var gram in probabilities[k].Keys.OrderBy(g => g, Gram.Comparer))
            {
                var backoff = k < order && gammas[k + 1].TryGetValue(gram, out var g) ? Math.Log10(g) : 0;
                model.Add(gram.Words, Math.Log10(probabilities[k][gram]), backoff);
            }
        }
        model.Seal();
        return model;
    }

    /// <summary>
    /// Modified Kneser-Ney discounts D1, D2, D3+ from counts of counts n1..n4 (Chen &amp; Goodman). Where those
    /// estimates are undefined or leave a count no mass (small corpora: n3 = 0, or a Dk outside (0, k)), the
    /// single Kneser-Ney discount Y = n1 / (n1 + 2 n2) is used for every count; without singletons or
    /// doubletons, 0.5.
    /// </summary>
    internal static double[] Discounts(IEnumerable<long> adjustedCounts)
    {
        var n = new long[5];
        foreach (var c in adjustedCounts)
        {
            if (c is >= 1 and <= 4)
            {
                n[c]++;
            }
        }
        if (n[1] == 0 || n[2] == 0)
        {
            return [0.5, 0.5, 0.5];
        }
        var y = (double)n[1] / (n[1] + (2.0 * n[2]));
        if (n[3] == 0)
        {
            return [y, y, y];
        }
        double[] d =
        [
            1 - (2 * y * n[2] / n[1]),
            2 - (3 * y * n[3] / n[2]),
            3 - (4 * y * n[4] / n[3]),
        ];
        return d[0] > 0 && d[0] < 1 && d[1] > 0 && d[1] < 2 && d[2] > 0 && d[2] < 3 ? d : [y, y, y];
    }

    private static double Discount(double[] d, long count) => count switch
    {
        <= 0 => 0,
        1 => d[0],
        2 => d[1],
        _ => d[2],
    };

    /// <summary>An n-gram as word ids, compared by value.</summary>
    private readonly struct Gram : IEquatable<Gram>
    {
        public Gram(int[] words) => Words = words;

        public static Gram Empty { get; } = new([]);

        public static IComparer<Gram> Comparer { get; } = Comparer<Gram>.Create(static (a, b) =>
        {
            for (var i = 0; i < Math.Min(a.Words.Length, b.Words.Length); i++)
            {
                var c = a.Words[i].CompareTo(b.Words[i]);
                if (c != 0)
                {
                    return c;
                }
            }
            return a.Words.Length.CompareTo(b.Words.Length);
        });

        public int[] Words { get; }

        public Gram Prefix() => new(Words[..^1]);

        public Gram Suffix() => new(Words[1..]);

        public bool Equals(Gram other) => Words.AsSpan().SequenceEqual(other.Words);

        public override bool Equals(object? obj) => obj is Gram g && Equals(g);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var w in Words)
            {
                hash.Add(w);
            }
            return hash.ToHashCode();
        }
    }
}
