using StreamSeq.Audio.Data;
using StreamSeq.Audio.Tests.Support;

namespace StreamSeq.Audio.Tests.Data;

public sealed class WaveAugmenterTests
{
    private const int Rate = 16000;

    // Level of a steady tone after a filter, measured past the filter's start-up transient.
    private static double GainDb(double frequency)
    {
        var tone = Signals.Sine(frequency, Rate, Rate);
        var filtered = (float[])tone.Clone();
        AudioEffects.BandLimit(filtered, Rate);
        return 20 * Math.Log10(Signals.Rms(filtered.AsSpan(Rate / 2)) / Signals.Rms(tone.AsSpan(Rate / 2)));
    }

    [Fact]
    public void The_telephone_band_passes_speech_frequencies_and_removes_what_lies_outside()
    {
        // Butterworth magnitudes (analogue prototype; the bilinear transform only sharpens the low-pass edge):
        // 1 kHz: -0.00 dB; 300/3400 Hz edges: -3 dB each; 6 kHz: 8th-order low-pass -39 dB; 100 Hz: 4th-order high-pass -38 dB.
        Assert.InRange(GainDb(1000), -0.5, 0.5);
        Assert.InRange(GainDb(3400), -4.5, -1.5);
        Assert.True(GainDb(6000) < -35, $"6 kHz: {GainDb(6000):0.0} dB");
        Assert.True(GainDb(5000) < -25, $"5 kHz: {GainDb(5000):0.0} dB");
        Assert.True(GainDb(100) < -30, $"100 Hz: {GainDb(100):0.0} dB");
    }

    [Fact]
    public void The_telephone_band_removes_most_energy_of_white_noise_above_3400_hz()
    {
        var noise = Signals.Noise(Rate * 2, 0.3, seed: 3);
        AudioEffects.BandLimit(noise, Rate);
        var tail = noise[(Rate / 4)..];
        var above = new[] { 4500.0, 5500, 6500, 7500 }.Average(f => Signals.PowerAt(tail, f, Rate));
        var inside = new[] { 800.0, 1500, 2200, 2900 }.Average(f => Signals.PowerAt(tail, f, Rate));
        Assert.True(10 * Math.Log10(above / inside) < -30, $"above/inside {10 * Math.Log10(above / inside):0.0} dB");
    }

    [Theory]
    [InlineData(NoiseColour.White, 0)]
    [InlineData(NoiseColour.Pink, 10)]
    [InlineData(NoiseColour.Brown, 20)]
    public void Coloured_noise_is_added_at_the_requested_snr(NoiseColour colour, double snrDb)
    {
        var speech = Signals.Sine(300, Rate, Rate, 0.5);
        var noisy = (float[])speech.Clone();
        AudioEffects.AddNoise(noisy, Signals.Rms(speech), snrDb, new Random(1), colour);
        var noise = noisy.Zip(speech, (a, b) => a - b).ToArray();
        // Float32 sums of two signals: the SNR holds to far better than 0.01 dB.
        Assert.Equal(snrDb, 20 * Math.Log10(Signals.Rms(speech) / Signals.Rms(noise)), 0.01);
    }

    [Fact]
    public void Redder_noise_has_less_high_frequency_energy()
    {
        // Ratio of the RMS of the first difference (a high-pass) to the RMS: sqrt(2) for white noise, less
        // for pink, much less for brown.
        double Roughness(NoiseColour colour)
        {
            var x = new float[Rate];
            AudioEffects.AddNoise(x, 1, 0, new Random(5), colour);
            var diff = x.Skip(1).Zip(x, (a, b) => a - b).ToArray();
            return Signals.Rms(diff) / Signals.Rms(x);
        }
        Assert.Equal(Math.Sqrt(2), Roughness(NoiseColour.White), 0.05);
        Assert.True(Roughness(NoiseColour.Pink) < 1.0);
        Assert.True(Roughness(NoiseColour.Brown) < 0.2);
    }

    [Fact]
    public void Babble_is_added_at_the_requested_snr_and_comes_from_the_other_utterances()
    {
        var speech = Signals.Sine(300, Rate, Rate, 0.5);
        var others = new[] { Signals.Sine(1234, Rate, 3000, 0.2), Signals.Sine(2345, Rate, 5000, 0.7) };
        var noisy = (float[])speech.Clone();
        AudioEffects.AddBabble(noisy, Signals.Rms(speech), 5, others, new Random(2));
        var babble = noisy.Zip(speech, (a, b) => a - b).ToArray();
        Assert.Equal(5, 20 * Math.Log10(Signals.Rms(speech) / Signals.Rms(babble)), 0.01);
        // Its energy lies at the other utterances' frequencies, none at an unrelated one.
        var atOthers = Signals.PowerAt(babble, 1234, Rate) + Signals.PowerAt(babble, 2345, Rate);
        Assert.True(atOthers > 1000 * Signals.PowerAt(babble, 700, Rate));
    }

    [Theory]
    [InlineData(0.9)]
    [InlineData(1.1)]
    public void A_speed_change_scales_duration_and_frequency(double factor)
    {
        var tone = Signals.Sine(1000, Rate, Rate);
        var changed = AudioEffects.ChangeSpeed(tone, Rate, factor);
        Assert.Equal(Rate / factor, changed.Length, Rate * 0.002);
        var middle = changed.AsSpan(changed.Length / 4, changed.Length / 2);
        Assert.True(Signals.PowerAt(middle, 1000 * factor, Rate) > 100 * Signals.PowerAt(middle, 1000, Rate));
    }

    [Fact]
    public void Gain_and_clipping_do_what_they_say()
    {
        var tone = Signals.Sine(440, Rate, 1600, 0.5);
        var louder = (float[])tone.Clone();
        AudioEffects.Gain(louder, 6);
        Assert.Equal(Math.Pow(10, 6 / 20.0), Signals.Rms(louder) / Signals.Rms(tone), 1e-5);

        var clipped = (float[])tone.Clone();
        AudioEffects.Clip(clipped, 0.5);
        Assert.Equal(0.25, clipped.Max(), 1e-6);
        Assert.Equal(-0.25, clipped.Min(), 1e-6);
        // Samples below the limit are untouched.
        Assert.All(Enumerable.Range(0, tone.Length).Where(i => Math.Abs(tone[i]) < 0.24), i => Assert.Equal(tone[i], clipped[i]));
    }

    [Fact]
    public void The_augmenter_is_reproducible_leaves_its_input_alone_and_varies_between_draws()
    {
        var speech = Signals.Sine(500, Rate, Rate, 0.3);
        var copy = (float[])speech.Clone();
        var augmenter = new WaveAugmenter(new WaveAugmentOptions { NoiseProbability = 1, SpeedProbability = 1 }, Rate);
        var a = augmenter.Apply(speech, new Random(4), [Signals.Noise(800, 0.1, 1)]);
        var b = augmenter.Apply(speech, new Random(4), [Signals.Noise(800, 0.1, 1)]);
        var c = augmenter.Apply(speech, new Random(5), [Signals.Noise(800, 0.1, 1)]);
        Assert.Equal(copy, speech);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(speech, new WaveAugmenter(WaveAugmentOptions.None, Rate).Apply(speech, new Random(4)));
    }

    [Fact]
    public void Noise_snr_is_measured_against_the_speech_not_the_silence_around_it()
    {
        var speech = Signals.Sine(500, Rate, Rate / 2, 0.3);
        var padded = new float[Rate * 2];
        speech.CopyTo(padded, Rate / 2);
        Assert.Equal(Signals.Rms(speech), WaveAugmenter.SpeechLevel(padded), 0.01);
    }

    [Fact]
    public void Invalid_ranges_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new WaveAugmenter(new WaveAugmentOptions { Speed = (1.1, 0.9) }, Rate));
        Assert.Throws<ArgumentException>(() => new WaveAugmenter(new WaveAugmentOptions { ClipLevel = (0, 0.5) }, Rate));
    }
}
