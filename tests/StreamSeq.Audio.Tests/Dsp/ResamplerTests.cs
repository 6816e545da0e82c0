using StreamSeq.Audio.Dsp;
using StreamSeq.Audio.Tests.Support;
using Xunit.Abstractions;

namespace StreamSeq.Audio.Tests.Dsp;

public sealed class ResamplerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(44100, 16000, 1000.0)]
    [InlineData(48000, 16000, 3000.0)]
    [InlineData(22050, 16000, 440.0)]
    [InlineData(8000, 16000, 1234.0)]
    [InlineData(16000, 16001, 2500.0)] // 16001 phases: the interpolated-table path
    [InlineData(11025, 44100, 4000.0)]
    public void A_sine_keeps_its_frequency_and_amplitude(int from, int to, double frequency)
    {
        var input = Signals.Sine(frequency, from, from / 2, amplitude: 0.5);
        var output = Resampler.ResampleAll(input, from, to);
        // Judge the middle, away from the filter's start-up and end.
        var middle = output.AsSpan(to / 10, to / 4);
        var peak = Signals.PeakFrequency(middle, to, frequency - 20, frequency + 20, 0.5);
        Assert.InRange(peak, frequency - 1, frequency + 1);
        var rms = Signals.Rms(middle);
        Assert.InRange(rms, 0.5 / Math.Sqrt(2) * 0.995, 0.5 / Math.Sqrt(2) * 1.005);
        // And it is that sine, sample by sample (phase included: no delay is introduced).
        var expected = Signals.Sine(frequency, to, output.Length, 0.5);
        var worst = 0.0;
        for (var i = to / 10; i < (to / 10) + (to / 4); i++)
        {
            worst = Math.Max(worst, Math.Abs(output[i] - expected[i]));
        }
        Assert.True(worst < 0.005, $"largest deviation from the ideal sine {worst}");
    }

    [Theory]
    [InlineData(44100, 16000, 44100)]
    [InlineData(48000, 16000, 1000)]
    [InlineData(22050, 16000, 12345)]
    [InlineData(8000, 16000, 777)]
    [InlineData(16000, 16001, 16000)]
    [InlineData(16000, 8000, 1)]
    public void Output_length_is_the_input_length_times_the_ratio_rounded_up(int from, int to, int length)
    {
        var output = Resampler.ResampleAll(Signals.Noise(length, 0.1, 3), from, to);
        Assert.Equal((long)Math.Ceiling((double)length * to / from), output.Length);
    }

    [Theory]
    [InlineData(44100, 16000)]
    [InlineData(8000, 16000)]
    [InlineData(16000, 16001)]
    public void Chunks_of_any_size_give_the_same_output_as_the_whole_signal(int from, int to)
    {
        var input = Signals.Noise(20000, 0.5, 7);
        var whole = Resampler.ResampleAll(input, from, to);
        var resampler = new Resampler(from, to);
        var random = new Random(5);
        var pieces = new List<float>();
        for (var at = 0; at < input.Length;)
        {
            var n = Math.Min(random.Next(0, 700), input.Length - at);
            pieces.AddRange(resampler.Process(input.AsSpan(at, n)));
            at += n;
        }
        pieces.AddRange(resampler.Flush());
        Assert.Equal(whole, pieces.ToArray());
    }

    [Fact]
    public void A_constant_stays_constant()
    {
        var output = Resampler.ResampleAll(Enumerable.Repeat(0.25f, 5000).ToArray(), 44100, 16000);
        // Away from the edges (where the filter sees the silence around the signal).
        foreach (var v in output.AsSpan(200, output.Length - 400))
        {
            Assert.InRange(v, 0.25f - 1e-5f, 0.25f + 1e-5f);
        }
    }

    [Fact]
    public void Downsampling_removes_what_would_alias_and_beats_nwaves_at_it()
    {
        // 7 kHz at 48 kHz, converted to 8 kHz (Nyquist 4 kHz): anything left would fold to 1 kHz.
        var input = Signals.Sine(7000, 48000, 48000, amplitude: 0.5);
        var ours = Resampler.ResampleAll(input, 48000, 8000);
        var theirs = new NWaves.Operations.Resampler().Resample(new NWaves.Signals.DiscreteSignal(48000, input), 8000).Samples;

        double AliasDb(float[] y) => 10 * Math.Log10(Signals.PowerAt(y.AsSpan(800, 6400), 1000, 8000) / (0.25 / 4));
        var oursDb = AliasDb(ours);
        var theirsDb = AliasDb(theirs);
        output.WriteLine($"alias of a 7 kHz tone, 48 -> 8 kHz: ours {oursDb:F1} dB, NWaves {theirsDb:F1} dB");
        Assert.True(oursDb < -70, $"alias at {oursDb:F1} dB");
        Assert.True(oursDb < theirsDb, $"ours {oursDb:F1} dB vs NWaves {theirsDb:F1} dB");
    }

    [Fact]
    public void The_converter_mixes_stereo_down_and_resamples()
    {
        var left = Signals.Sine(500, 32000, 16000, 0.4);
        var right = Signals.Sine(500, 32000, 16000, 0.2);
        var converter = new AudioConverter(32000, 2, 16000, 1);
        var output = converter.Convert(Signals.Interleave(left, right)).Concat(converter.Flush()).ToArray();
        Assert.Equal(8000, output.Length);
        Assert.InRange(Signals.Rms(output.AsSpan(1000, 6000)), 0.3 / Math.Sqrt(2) * 0.99, 0.3 / Math.Sqrt(2) * 1.01);
    }

    [Fact]
    public void The_converter_can_keep_channels()
    {
        var left = Signals.Sine(500, 8000, 8000, 0.4);
        var right = Signals.Sine(700, 8000, 8000, 0.2);
        var converter = new AudioConverter(8000, 2, 16000, 2);
        var output = converter.Convert(Signals.Interleave(left, right)).Concat(converter.Flush()).ToArray();
        Assert.Equal(32000, output.Length);
        var l = output.Where((_, i) => i % 2 == 0).ToArray();
        var r = output.Where((_, i) => i % 2 == 1).ToArray();
        Assert.InRange(Signals.PeakFrequency(l.AsSpan(2000, 8000), 16000, 480, 520, 1), 499, 501);
        Assert.InRange(Signals.PeakFrequency(r.AsSpan(2000, 8000), 16000, 680, 720, 1), 699, 701);
    }
}
