namespace StreamSeq.Audio.Features;

/// <summary>Mean/variance normalisation over a whole utterance.</summary>
public static class FeatureNormalizer
{
    /// <summary>Smallest standard deviation divided by (a constant bin stays finite).</summary>
    public const double MinStdDev = 1e-5;

    /// <summary>Subtracts each bin's mean over all frames (and divides by its standard deviation), in place.</summary>
    public static void NormalizeUtterance(FeatureMatrix features, bool variance = true)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Frames == 0)
        {
            return;
        }
        for (var b = 0; b < features.Bins; b++)
        {
            double sum = 0, sumSq = 0;
            for (var f = 0; f < features.Frames; f++)
            {
                double v = features[f, b];
                sum += v;
                sumSq += v * v;
            }
            var mean = sum / features.Frames;
            var scale = 1.0;
            if (variance)
            {
                var var = Math.Max(0, (sumSq / features.Frames) - (mean * mean));
                scale = 1 / Math.Max(Math.Sqrt(var), MinStdDev);
            }
            for (var f = 0; f < features.Frames; f++)
            {
                features[f, b] = (float)((features[f, b] - mean) * scale);
            }
        }
    }
}

/// <summary>
/// Causal mean/variance normalisation for live streams: each frame is normalised with the statistics of the
/// last <c>window</c> frames including itself (fewer at the start), so no future frame is needed.
/// </summary>
public sealed class StreamingNormalizer
{
    private readonly int _bins;
    private readonly int _window;
    private readonly bool _variance;
    private readonly float[] _history;
    private readonly double[] _sum;
    private readonly double[] _sumSq;
    private int _count;
    private int _next;

    /// <summary>Creates a normaliser over <paramref name="window"/> frames of <paramref name="bins"/> values.</summary>
    public StreamingNormalizer(int bins, int window, bool variance = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        _bins = bins;
        _window = window;
        _variance = variance;
        _history = new float[bins * window];
        _sum = new double[bins];
        _sumSq = new double[bins];
    }

    /// <summary>Adds a frame to the statistics and normalises it in place.</summary>
    public void Normalize(Span<float> frame)
    {
        var slot = _history.AsSpan(_next * _bins, _bins);
        if (_count == _window)
        {
            for (var b = 0; b < _bins; b++)
            {
                _sum[b] -= slot[b];
                _sumSq[b] -= (double)slot[b] * slot[b];
            }
        }
        else
        {
            _count++;
        }
        frame.CopyTo(slot);
        _next = (_next + 1) % _window;
        for (var b = 0; b < _bins; b++)
        {
            double v = frame[b];
            _sum[b] += v;
            _sumSq[b] += v * v;
            var mean = _sum[b] / _count;
            var scale = 1.0;
            if (_variance)
            {
                var var = Math.Max(0, (_sumSq[b] / _count) - (mean * mean));
                scale = 1 / Math.Max(Math.Sqrt(var), FeatureNormalizer.MinStdDev);
            }
            frame[b] = (float)((v - mean) * scale);
        }
    }

    /// <summary>Forgets the statistics.</summary>
    public void Reset()
    {
        _count = 0;
        _next = 0;
        Array.Clear(_sum);
        Array.Clear(_sumSq);
    }
}
