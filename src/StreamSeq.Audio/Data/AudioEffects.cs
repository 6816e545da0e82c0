namespace StreamSeq.Audio.Data;

/// <summary>Augmentation effects for synthetic data: additive noise at an SNR and a small-room reverb.</summary>
public static class AudioEffects
{
    /// <summary>
    /// Adds white or pink noise so that speech RMS over noise RMS is <paramref name="snrDb"/> dB, in place.
    /// </summary>
    public static void AddNoise(float[] signal, double speechRms, double snrDb, Random random, bool pink = false)
    {
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentNullException.ThrowIfNull(random);
        var noise = new float[signal.Length];
        // Pink noise by Paul Kellet's economy filter over white noise (−3 dB/octave).
        double b0 = 0, b1 = 0, b2 = 0;
        for (var i = 0; i < noise.Length; i++)
        {
            var white = Gaussian(random);
            if (pink)
            {
                b0 = (0.99765 * b0) + (white * 0.0990460);
                b1 = (0.96300 * b1) + (white * 0.2965164);
                b2 = (0.57000 * b2) + (white * 1.0526913);
                noise[i] = (float)(b0 + b1 + b2 + (white * 0.1848));
            }
            else
            {
                noise[i] = (float)white;
            }
        }
        var noiseRms = AudioMath.Rms(noise);
        if (noiseRms <= 0 || speechRms <= 0)
        {
            return;
        }
        var scale = (float)(speechRms / Math.Pow(10, snrDb / 20) / noiseRms);
        for (var i = 0; i < signal.Length; i++)
        {
            signal[i] += noise[i] * scale;
        }
    }

    /// <summary>
    /// A Schroeder reverberator (four parallel feedback combs, two series all-passes) mixed with the dry
    /// signal; the output is longer by the reverb tail. <paramref name="roomSize"/> in 0..1 scales the decay.
    /// </summary>
    public static float[] Reverberate(float[] signal, int sampleRate, double roomSize, double wet)
    {
        ArgumentNullException.ThrowIfNull(signal);
        var scale = sampleRate / 44100.0;
        int[] combDelays = [.. ((int[])[1557, 1617, 1491, 1422]).Select(d => Math.Max(1, (int)(d * scale)))];
        int[] allpassDelays = [.. ((int[])[225, 556]).Select(d => Math.Max(1, (int)(d * scale)))];
        var feedback = 0.7 + (0.28 * Math.Clamp(roomSize, 0, 1));
        var tail = (int)(sampleRate * 0.3 * (1 + roomSize));
        var length = signal.Length + tail;
        var wetSignal = new double[length];
        foreach (var delay in combDelays)
        {
            var buffer = new double[delay];
            var at = 0;
            for (var i = 0; i < length; i++)
            {
                var x = i < signal.Length ? signal[i] : 0;
                var y = buffer[at];
                buffer[at] = x + (y * feedback);
                at = (at + 1) % delay;
                wetSignal[i] += y / combDelays.Length;
            }
        }
        foreach (var delay in allpassDelays)
        {
            var buffer = new double[delay];
            var at = 0;
            const double g = 0.5;
            for (var i = 0; i < length; i++)
            {
                var x = wetSignal[i];
                var delayed = buffer[at];
                var y = -x + delayed;
                buffer[at] = x + (delayed * g);
                at = (at + 1) % delay;
                wetSignal[i] = y;
            }
        }
        var output = new float[length];
        for (var i = 0; i < length; i++)
        {
            var dry = i < signal.Length ? signal[i] : 0;
            output[i] = (float)(((1 - wet) * dry) + (wet * wetSignal[i]));
        }
        return output;
    }

    private static double Gaussian(Random random)
    {
        // Box-Muller; 1 - u keeps the log argument in (0, 1].
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
