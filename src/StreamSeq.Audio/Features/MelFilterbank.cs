namespace StreamSeq.Audio.Features;

/// <summary>
/// Triangular filters equally spaced on the mel scale (HTK: mel = 2595 log10(1 + f/700)), each rising from
/// its left neighbour's centre to its own and falling to its right neighbour's, evaluated in mel at every
/// FFT bin's centre frequency. Filters are stored sparsely (first bin and weights).
/// </summary>
public sealed class MelFilterbank
{
    private readonly int[] _first;
    private readonly float[][] _weights;

    /// <summary>Builds <paramref name="filters"/> filters over bins 0 … fftSize/2.</summary>
    public MelFilterbank(int filters, int fftSize, int sampleRate, double lowHz, double highHz)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(filters, 1);
        if (highHz <= lowHz)
        {
            throw new ArgumentException($"empty band {lowHz}..{highHz} Hz");
        }
        Filters = filters;
        FftSize = fftSize;
        var bins = (fftSize / 2) + 1;
        var lowMel = HzToMel(lowHz);
        var highMel = HzToMel(highHz);
        var step = (highMel - lowMel) / (filters + 1);
        _first = new int[filters];
        _weights = new float[filters][];
        for (var m = 0; m < filters; m++)
        {
            var left = lowMel + (m * step);
            var centre = left + step;
            var right = centre + step;
            var weights = new List<float>();
            var first = -1;
            for (var k = 0; k < bins; k++)
            {
                var mel = HzToMel((double)k * sampleRate / fftSize);
                var w = mel <= left || mel >= right ? 0.0 : mel <= centre ? (mel - left) / (centre - left) : (right - mel) / (right - centre);
                if (w > 0)
                {
                    if (first < 0)
                    {
                        first = k;
                    }
                    // Fill bins between first and k with their (zero) weights: the span stays contiguous.
                    while (weights.Count < k - first)
                    {
                        weights.Add(0);
                    }
                    weights.Add((float)w);
                }
            }
            _first[m] = Math.Max(first, 0);
            _weights[m] = [.. weights];
        }
    }

    /// <summary>Number of filters.</summary>
    public int Filters { get; }

    /// <summary>The FFT size the filters are laid over.</summary>
    public int FftSize { get; }

    /// <summary>Mel value of a frequency (HTK formula).</summary>
    public static double HzToMel(double hz) => 2595.0 * Math.Log10(1 + (hz / 700.0));

    /// <summary>Frequency of a mel value (HTK formula).</summary>
    public static double MelToHz(double mel) => 700.0 * (Math.Pow(10, mel / 2595.0) - 1);

    /// <summary>The weight of filter <paramref name="filter"/> at FFT bin <paramref name="bin"/>.</summary>
    public float Weight(int filter, int bin)
    {
        var offset = bin - _first[filter];
        var w = _weights[filter];
        return offset >= 0 && offset < w.Length ? w[offset] : 0f;
    }

    /// <summary>Applies the filters to a power spectrum (fftSize/2 + 1 bins).</summary>
    public void Apply(ReadOnlySpan<float> power, Span<float> energies)
    {
        for (var m = 0; m < Filters; m++)
        {
            var w = _weights[m];
            var p = power.Slice(_first[m], w.Length);
            double sum = 0;
            for (var i = 0; i < w.Length; i++)
            {
                sum += w[i] * p[i];
            }
            energies[m] = (float)sum;
        }
    }
}
