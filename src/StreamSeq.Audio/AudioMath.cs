namespace StreamSeq.Audio;

/// <summary>Small sample-level helpers shared by readers, stages and data generation.</summary>
public static class AudioMath
{
    /// <summary>Averages interleaved channels into one.</summary>
    public static float[] Downmix(ReadOnlySpan<float> interleaved, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        var frames = interleaved.Length / channels;
        var mono = new float[frames];
        if (channels == 1)
        {
            interleaved[..frames].CopyTo(mono);
            return mono;
        }
        var scale = 1f / channels;
        for (var i = 0; i < frames; i++)
        {
            var sum = 0f;
            var row = interleaved.Slice(i * channels, channels);
            for (var c = 0; c < row.Length; c++)
            {
                sum += row[c];
            }
            mono[i] = sum * scale;
        }
        return mono;
    }

    /// <summary>Root-mean-square level of the samples (0 for none).</summary>
    public static double Rms(ReadOnlySpan<float> samples)
    {
        if (samples.IsEmpty)
        {
            return 0;
        }
        double sum = 0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }
        return Math.Sqrt(sum / samples.Length);
    }

    /// <summary>Level in dB full scale of an RMS value (floored at -120 dB).</summary>
    public static double ToDecibels(double rms) => 20 * Math.Log10(Math.Max(rms, 1e-6));
}
