namespace StreamSeq.Cli.Bench;

/// <summary>Summaries of repeated measurements, shared by the benchmarks and <c>eval</c>.</summary>
internal static class Statistics
{
    /// <summary>The median (the mean of the middle two for an even count).</summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            throw new ArgumentException("no values", nameof(values));
        }
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
