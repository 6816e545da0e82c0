namespace StreamSeq.Registry;

/// <summary>"Did you mean" for misspelled names: the closest candidates by edit distance.</summary>
public static class Suggestions
{
    public static IReadOnlyList<string> Closest(string wrong, IEnumerable<string> candidates, int max = 3)
    {
        var limit = Math.Max(2, wrong.Length / 3);
        return candidates
            .Select(c => (c, distance: Distance(wrong.ToLowerInvariant(), c.ToLowerInvariant())))
            .Where(x => x.distance <= limit || x.c.Contains(wrong, StringComparison.OrdinalIgnoreCase) || wrong.Contains(x.c, StringComparison.OrdinalIgnoreCase))
            .OrderBy(x => x.distance)
            .ThenBy(x => x.c, StringComparer.Ordinal)
            .Take(max)
            .Select(x => x.c)
            .ToList();
    }

    /// <summary>Formats a hint such as <c>; did you mean 'window.sliding'?</c>, or nothing.</summary>
    public static string Hint(string wrong, IEnumerable<string> candidates)
    {
        var closest = Closest(wrong, candidates);
        return closest.Count == 0 ? "" : $"; did you mean {string.Join(" or ", closest.Select(c => $"'{c}'"))}?";
    }

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transpositions).</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
