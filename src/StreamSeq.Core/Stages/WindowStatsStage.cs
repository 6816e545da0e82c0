namespace StreamSeq.Stages;

/// <summary>Summary statistics of a window of numbers.</summary>
public sealed record WindowStats(DateTime Start, DateTime End, int Count, double Mean, double Min, double Max, double StdDev);

/// <summary>Count, mean, min, max and standard deviation of each window of numbers.</summary>
[Stage("window.stats", Description = "Count, mean, min, max and standard deviation of a window of numbers", Stateless = true)]
public sealed class WindowStatsStage : MapStage<Window<double>, WindowStats>
{
    public override WindowStats Map(in Packet<Window<double>> input)
    {
        var window = input.Payload;
        double sum = 0, sumSquares = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        var count = 0;
        foreach (var value in window.Items)
        {
            sum += value;
            sumSquares += value * value;
            min = Math.Min(min, value);
            max = Math.Max(max, value);
            count++;
        }
        if (count == 0)
        {
            return new WindowStats(window.Start, window.End, 0, double.NaN, double.NaN, double.NaN, double.NaN);
        }
        var mean = sum / count;
        var variance = Math.Max(0, sumSquares / count - mean * mean);
        return new WindowStats(window.Start, window.End, count, mean, min, max, Math.Sqrt(variance));
    }
}
