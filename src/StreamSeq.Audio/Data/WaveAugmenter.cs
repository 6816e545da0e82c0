namespace StreamSeq.Audio.Data;

/// <summary>
/// On-the-fly waveform augmentation for training: each call draws a fresh combination of
/// <see cref="AudioEffects"/> (speed, room, noise or babble, telephone band, level, clipping) from
/// <see cref="WaveAugmentOptions"/>, so every epoch hears each utterance under other conditions.
/// </summary>
/// <remarks>
/// Order follows the signal path of a recording: the talker's speed, the room, the noise in the room, the
/// channel (telephone band), the input level, and finally clipping in the converter. The input is never
/// changed; the result is a new array.
/// </remarks>
public sealed class WaveAugmenter
{
    private readonly WaveAugmentOptions _options;
    private readonly int _sampleRate;

    /// <summary>Creates an augmenter for audio at <paramref name="sampleRate"/>.</summary>
    public WaveAugmenter(WaveAugmentOptions options, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 8000);
        if (options.Speed.Min <= 0 || options.Speed.Max < options.Speed.Min || options.SnrDb.Max < options.SnrDb.Min
            || options.GainDb.Max < options.GainDb.Min || options.ClipLevel.Min <= 0 || options.ClipLevel.Max > 1 || options.ClipLevel.Max < options.ClipLevel.Min)
        {
            throw new ArgumentException("augmentation ranges need Min <= Max, speeds > 0 and clip levels within (0, 1]", nameof(options));
        }
        _options = options;
        _sampleRate = sampleRate;
    }

    /// <summary>
    /// One augmented copy of <paramref name="speech"/>; <paramref name="babble"/> holds other utterances to
    /// make babble from (none: coloured noise only).
    /// </summary>
    public float[] Apply(float[] speech, Random random, IReadOnlyList<float[]>? babble = null)
    {
        ArgumentNullException.ThrowIfNull(speech);
        ArgumentNullException.ThrowIfNull(random);
        var o = _options;
        var signal = random.NextDouble() < o.SpeedProbability
            ? AudioEffects.ChangeSpeed(speech, _sampleRate, Draw(o.Speed, random))
            : (float[])speech.Clone();
        if (signal.Length == 0)
        {
            return signal;
        }
        if (random.NextDouble() < o.ReverbProbability)
        {
            signal = AudioEffects.Reverberate(signal, _sampleRate, roomSize: random.NextDouble(), wet: 0.1 + (random.NextDouble() * 0.4));
        }
        if (random.NextDouble() < o.NoiseProbability)
        {
            // The SNR is against the speech's level, not the whole file's (silence around a short utterance
            // would otherwise make it look quieter than it is).
            var level = SpeechLevel(signal);
            var snr = Draw(o.SnrDb, random);
            if (babble is { Count: > 0 } && random.NextDouble() < o.BabbleShare)
            {
                AudioEffects.AddBabble(signal, level, snr, babble, random);
            }
            else
            {
                AudioEffects.AddNoise(signal, level, snr, random, (NoiseColour)random.Next(3));
            }
        }
        if (random.NextDouble() < o.TelephoneProbability)
        {
            AudioEffects.BandLimit(signal, _sampleRate);
        }
        if (random.NextDouble() < o.GainProbability)
        {
            AudioEffects.Gain(signal, Draw(o.GainDb, random));
        }
        if (random.NextDouble() < o.ClipProbability)
        {
            AudioEffects.Clip(signal, Draw(o.ClipLevel, random));
        }
        return signal;
    }

    /// <summary>RMS over the 20 ms blocks within 30 dB of the loudest: the level of the speech, not of its surrounding silence.</summary>
    public static double SpeechLevel(ReadOnlySpan<float> signal)
    {
        const int Block = 320;
        if (signal.Length < 2 * Block)
        {
            return AudioMath.Rms(signal);
        }
        var energies = new List<double>(signal.Length / Block);
        for (var start = 0; start + Block <= signal.Length; start += Block)
        {
            var rms = AudioMath.Rms(signal.Slice(start, Block));
            energies.Add(rms * rms);
        }
        var floor = energies.Max() * 1e-3;
        return Math.Sqrt(energies.Where(e => e >= floor).Average());
    }

    private static double Draw((double Min, double Max) range, Random random) => range.Min + (random.NextDouble() * (range.Max - range.Min));
}
