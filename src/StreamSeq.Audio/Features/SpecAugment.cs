namespace StreamSeq.Audio.Features;

/// <summary>Parameters of <see cref="SpecAugment"/> (Park et al. 2019, without time warping).</summary>
public sealed record SpecAugmentOptions
{
    /// <summary>Number of frequency masks.</summary>
    public int FrequencyMasks { get; init; } = 2;

    /// <summary>Largest width of a frequency mask, in bins (F).</summary>
    public int MaxFrequencyWidth { get; init; } = 8;

    /// <summary>Number of time masks.</summary>
    public int TimeMasks { get; init; } = 2;

    /// <summary>Largest width of a time mask, in frames (T).</summary>
    public int MaxTimeWidth { get; init; } = 20;

    /// <summary>Largest fraction of the utterance one time mask may cover (p).</summary>
    public double MaxTimeFraction { get; init; } = 0.2;

    /// <summary>Fill masked cells with the matrix mean (true) or zero (false, right for normalised features).</summary>
    public bool FillWithMean { get; init; }
}

/// <summary>SpecAugment for training: random frequency and time masks on a feature matrix, seeded.</summary>
public static class SpecAugment
{
    /// <summary>Returns a masked copy of <paramref name="features"/>; the same seed gives the same masks.</summary>
    public static FeatureMatrix Apply(FeatureMatrix features, SpecAugmentOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        var result = features.Clone();
        var fill = options.FillWithMean && result.Data.Length > 0 ? result.Data.Average() : 0f;
        for (var i = 0; i < options.FrequencyMasks; i++)
        {
            var width = random.Next(0, Math.Min(options.MaxFrequencyWidth, result.Bins) + 1);
            var start = random.Next(0, result.Bins - width + 1);
            for (var f = 0; f < result.Frames; f++)
            {
                result.Row(f).Slice(start, width).Fill(fill);
            }
        }
        var maxWidth = Math.Min(options.MaxTimeWidth, (int)(options.MaxTimeFraction * result.Frames));
        for (var i = 0; i < options.TimeMasks; i++)
        {
            var width = random.Next(0, Math.Max(0, maxWidth) + 1);
            var start = random.Next(0, result.Frames - width + 1);
            result.Data.AsSpan(start * result.Bins, width * result.Bins).Fill(fill);
        }
        return result;
    }
}
