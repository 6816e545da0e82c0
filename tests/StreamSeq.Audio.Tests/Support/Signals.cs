namespace StreamSeq.Audio.Tests.Support;

/// <summary>Test signals and an independent spectrum estimate.</summary>
public static class Signals
{
    public static float[] Sine(double frequency, int sampleRate, int samples, double amplitude = 0.5, double phase = 0)
        => [.. Enumerable.Range(0, samples).Select(i => (float)(amplitude * Math.Sin((2 * Math.PI * frequency * i / sampleRate) + phase)))];

    public static float[] Noise(int samples, double amplitude, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, samples).Select(_ => (float)((random.NextDouble() * 2) - 1) * (float)amplitude)];
    }

    /// <summary>Interleaves channels.</summary>
    public static float[] Interleave(params float[][] channels)
    {
        var frames = channels[0].Length;
        var result = new float[frames * channels.Length];
        for (var i = 0; i < frames; i++)
        {
            for (var c = 0; c < channels.Length; c++)
            {
                result[(i * channels.Length) + c] = channels[c][i];
            }
        }
        return result;
    }

    /// <summary>Power of a signal at one frequency by direct correlation (Goertzel-free, O(N)).</summary>
    public static double PowerAt(ReadOnlySpan<float> x, double frequency, int sampleRate)
    {
        double re = 0, im = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var angle = 2 * Math.PI * frequency * i / sampleRate;
            re += x[i] * Math.Cos(angle);
            im -= x[i] * Math.Sin(angle);
        }
        return ((re * re) + (im * im)) / ((double)x.Length * x.Length);
    }

    /// <summary>The frequency with the most power, searched on a grid (Hann-windowed direct DFT).</summary>
    public static double PeakFrequency(ReadOnlySpan<float> x, int sampleRate, double from, double to, double step)
    {
        var windowed = new float[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            windowed[i] = x[i] * (float)(0.5 - (0.5 * Math.Cos(2 * Math.PI * i / (x.Length - 1))));
        }
        var best = from;
        var bestPower = -1.0;
        for (var f = from; f <= to; f += step)
        {
            var p = PowerAt(windowed, f, sampleRate);
            if (p > bestPower)
            {
                bestPower = p;
                best = f;
            }
        }
        return best;
    }

    public static double Rms(ReadOnlySpan<float> x) => AudioMath.Rms(x);
}
