namespace StreamSeq.Audio.Data;

/// <summary>Spectral colour of generated noise.</summary>
public enum NoiseColour
{
    /// <summary>Flat spectrum.</summary>
    White,

    /// <summary>−3 dB per octave (equal energy per octave).</summary>
    Pink,

    /// <summary>−6 dB per octave (integrated white noise; rumble-like).</summary>
    Brown,
}

/// <summary>
/// Augmentation effects for speech data: additive noise (coloured or babble) at an SNR, a small-room reverb,
/// speed perturbation, a telephone band, level changes and clipping.
/// </summary>
public static class AudioEffects
{
    /// <summary>The telephone band's edges (Hz), as ITU-T G.712 channels pass.</summary>
    public const double TelephoneLow = 300, TelephoneHigh = 3400;

    /// <summary>
    /// Adds noise of <paramref name="colour"/> so that speech RMS over noise RMS is <paramref name="snrDb"/> dB, in place.
    /// </summary>
    public static void AddNoise(float[] signal, double speechRms, double snrDb, Random random, NoiseColour colour)
    {
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentNullException.ThrowIfNull(random);
        if (colour != NoiseColour.Brown)
        {
            AddNoise(signal, speechRms, snrDb, random, pink: colour == NoiseColour.Pink);
            return;
        }
        // A leaky integrator of white noise: −6 dB/octave above a few hertz, no drift over long signals.
        var noise = new float[signal.Length];
        double state = 0;
        for (var i = 0; i < noise.Length; i++)
        {
            state = (0.995 * state) + Gaussian(random);
            noise[i] = (float)state;
        }
        Mix(signal, noise, speechRms, snrDb);
    }

    /// <summary>
    /// Adds babble: two to five stretches of <paramref name="others"/> (other utterances, at random offsets,
    /// looped to the signal's length) summed, so that speech RMS over babble RMS is <paramref name="snrDb"/> dB.
    /// </summary>
    public static void AddBabble(float[] signal, double speechRms, double snrDb, IReadOnlyList<float[]> others, Random random)
    {
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentNullException.ThrowIfNull(others);
        ArgumentNullException.ThrowIfNull(random);
        var usable = others.Where(o => o.Length > 0).ToList();
        if (usable.Count == 0)
        {
            return;
        }
        var babble = new float[signal.Length];
        var talkers = random.Next(2, 6);
        for (var t = 0; t < talkers; t++)
        {
            var source = usable[random.Next(usable.Count)];
            var level = AudioMath.Rms(source);
            if (level <= 0)
            {
                continue;
            }
            // Each talker at the same level, so no single one dominates and becomes intelligible speech.
            var scale = (float)(1 / level);
            var offset = random.Next(source.Length);
            for (var i = 0; i < babble.Length; i++)
            {
                babble[i] += source[(offset + i) % source.Length] * scale;
            }
        }
        Mix(signal, babble, speechRms, snrDb);
    }

    /// <summary>
    /// Speed perturbation by resampling: the result is 1 / <paramref name="factor"/> as long, with tempo and
    /// pitch scaled by <paramref name="factor"/>. The factor is rounded to 1/100.
    /// </summary>
    public static float[] ChangeSpeed(float[] signal, int sampleRate, double factor)
    {
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(factor, 0);
        // Read as if recorded at factor × rate and converted back to the rate. Rounding to 1/100 keeps the
        // ratio's reduced form small (few polyphase filters).
        var step = Math.Max(1, sampleRate / 100);
        var inputRate = (int)Math.Round(sampleRate * factor / step) * step;
        return inputRate == sampleRate ? (float[])signal.Clone() : Dsp.Resampler.ResampleAll(signal, inputRate, sampleRate);
    }

    /// <summary>
    /// Band-pass to <paramref name="low"/>..<paramref name="high"/> Hz, in place: 4th-order Butterworth high-pass
    /// and 8th-order Butterworth low-pass, as cascaded biquads (bilinear transform). Defaults: the telephone band.
    /// </summary>
    public static void BandLimit(float[] signal, int sampleRate, double low = TelephoneLow, double high = TelephoneHigh)
    {
        ArgumentNullException.ThrowIfNull(signal);
        if (!(low > 0 && high > low && high < sampleRate / 2.0))
        {
            throw new ArgumentOutOfRangeException(nameof(high), $"need 0 < low < high < {sampleRate / 2} Hz");
        }
        // Q of each biquad of an N-th order Butterworth: 1 / (2 sin((2k + 1)π / 2N)).
        foreach (var q in ButterworthQs(4))
        {
            Biquad(signal, sampleRate, low, q, highPass: true);
        }
        foreach (var q in ButterworthQs(8))
        {
            Biquad(signal, sampleRate, high, q, highPass: false);
        }
    }

    /// <summary>Multiplies by <paramref name="gainDb"/> dB, in place.</summary>
    public static void Gain(float[] signal, double gainDb)
    {
        ArgumentNullException.ThrowIfNull(signal);
        var scale = (float)Math.Pow(10, gainDb / 20);
        for (var i = 0; i < signal.Length; i++)
        {
            signal[i] *= scale;
        }
    }

    /// <summary>Hard-clips at ± <paramref name="level"/> × the signal's peak, in place (an overdriven input).</summary>
    public static void Clip(float[] signal, double level)
    {
        ArgumentNullException.ThrowIfNull(signal);
        var peak = 0f;
        foreach (var x in signal)
        {
            peak = Math.Max(peak, Math.Abs(x));
        }
        var limit = (float)(peak * Math.Clamp(level, 0, 1));
        for (var i = 0; i < signal.Length; i++)
        {
            signal[i] = Math.Clamp(signal[i], -limit, limit);
        }
    }

    private static IEnumerable<double> ButterworthQs(int order)
        => Enumerable.Range(0, order / 2).Select(k => 1 / (2 * Math.Sin((2 * k + 1) * Math.PI / (2 * order))));

    // RBJ Audio EQ Cookbook low/high-pass biquad, direct form I in double precision.
    private static void Biquad(float[] x, int sampleRate, double frequency, double q, bool highPass)
    {
        var w0 = 2 * Math.PI * frequency / sampleRate;
        var alpha = Math.Sin(w0) / (2 * q);
        var cos = Math.Cos(w0);
        var a0 = 1 + alpha;
        double b0, b1, b2;
        if (highPass)
        {
            b0 = (1 + cos) / 2;
            b1 = -(1 + cos);
        }
        else
        {
            b0 = (1 - cos) / 2;
            b1 = 1 - cos;
        }
        b2 = b0;
        var a1 = -2 * cos;
        var a2 = 1 - alpha;
        b0 /= a0; b1 /= a0; b2 /= a0; a1 /= a0; a2 /= a0;
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (var i = 0; i < x.Length; i++)
        {
            double input = x[i];
            var y = (b0 * input) + (b1 * x1) + (b2 * x2) - (a1 * y1) - (a2 * y2);
            x2 = x1;
            x1 = input;
            y2 = y1;
            y1 = y;
            x[i] = (float)y;
        }
    }

    private static void Mix(float[] signal, float[] noise, double speechRms, double snrDb)
    {
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
        Mix(signal, noise, speechRms, snrDb);
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
