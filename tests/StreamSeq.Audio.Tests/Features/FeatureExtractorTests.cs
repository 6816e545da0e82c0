using StreamSeq.Audio.Features;
using StreamSeq.Audio.Tests.Support;

namespace StreamSeq.Audio.Tests.Features;

public sealed class FeatureExtractorTests
{
    /// <summary>The whole chain computed from its definitions in double precision, with a direct O(N²) DFT.</summary>
    private static double[] Reference(float[] signal, int frame, FeatureOptions o)
    {
        var n = o.FrameSamples;
        var nfft = o.EffectiveFftSize;
        var start = frame * o.ShiftSamples;
        var x = new double[nfft];
        for (var i = 0; i < n; i++)
        {
            var current = signal[start + i];
            var previous = start + i > 0 ? signal[start + i - 1] : 0.0;
            var w = o.Window switch
            {
                WindowKind.Hann => 0.5 - (0.5 * Math.Cos(2 * Math.PI * i / (n - 1))),
                WindowKind.Rectangular => 1.0,
                _ => 0.54 - (0.46 * Math.Cos(2 * Math.PI * i / (n - 1))),
            };
            x[i] = (current - (o.PreEmphasis * previous)) * w;
        }
        var power = new double[(nfft / 2) + 1];
        for (var k = 0; k < power.Length; k++)
        {
            double re = 0, im = 0;
            for (var t = 0; t < nfft; t++)
            {
                re += x[t] * Math.Cos(2 * Math.PI * k * t / nfft);
                im -= x[t] * Math.Sin(2 * Math.PI * k * t / nfft);
            }
            power[k] = (re * re) + (im * im);
        }
        if (o.Kind == FeatureKind.Power)
        {
            return power;
        }
        static double Mel(double f) => 1127.0 * Math.Log(1 + (f / 700.0)); // = 2595 log10(1 + f/700)
        double lo = Mel(o.LowFrequency), hi = Mel(o.EffectiveHighFrequency);
        var logMel = new double[o.MelBins];
        for (var m = 0; m < o.MelBins; m++)
        {
            double left = lo + ((hi - lo) * m / (o.MelBins + 1)), centre = lo + ((hi - lo) * (m + 1) / (o.MelBins + 1)), right = lo + ((hi - lo) * (m + 2) / (o.MelBins + 1));
            double e = 0;
            for (var k = 0; k < power.Length; k++)
            {
                var mel = Mel((double)k * o.SampleRate / nfft);
                var weight = mel > left && mel < right ? Math.Min((mel - left) / (centre - left), (right - mel) / (right - centre)) : 0;
                e += weight * power[k];
            }
            logMel[m] = Math.Log(Math.Max(e, o.LogFloor));
        }
        if (o.Kind == FeatureKind.LogMel)
        {
            return logMel;
        }
        var c = new double[o.Coefficients];
        for (var q = 0; q < c.Length; q++)
        {
            for (var m = 0; m < o.MelBins; m++)
            {
                c[q] += logMel[m] * Math.Cos(Math.PI * q * (m + 0.5) / o.MelBins);
            }
            c[q] *= Math.Sqrt((q == 0 ? 1.0 : 2.0) / o.MelBins);
        }
        return c;
    }

    public static TheoryData<FeatureKind, WindowKind, int> Settings() => new()
    {
        { FeatureKind.LogMel, WindowKind.Hamming, 40 },
        { FeatureKind.LogMel, WindowKind.Hann, 80 },
        { FeatureKind.Mfcc, WindowKind.Hamming, 40 },
        { FeatureKind.Power, WindowKind.Rectangular, 40 },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void Features_match_a_direct_dft_reference(FeatureKind kind, WindowKind window, int melBins)
    {
        var options = new FeatureOptions { Kind = kind, Window = window, MelBins = melBins };
        var signal = Signals.Noise(16000 / 5, 0.3, 11).Zip(Signals.Sine(800, 16000, 16000 / 5, 0.4), (a, b) => a + b).ToArray();
        var features = new FeatureExtractor(options).Extract(signal);
        Assert.Equal(1 + ((signal.Length - 400) / 160), features.Frames);
        Assert.Equal(options.OutputBins, features.Bins);
        foreach (var frame in new[] { 0, 1, features.Frames / 2, features.Frames - 1 })
        {
            var expected = Reference(signal, frame, options);
            for (var b = 0; b < features.Bins; b++)
            {
                var tolerance = kind == FeatureKind.Power ? 1e-4 * Math.Max(1, Math.Abs(expected[b])) : 2e-3 + (1e-4 * Math.Abs(expected[b]));
                Assert.True(Math.Abs(features[frame, b] - expected[b]) <= tolerance,
                    $"frame {frame} bin {b}: {features[frame, b]} vs reference {expected[b]}");
            }
        }
    }

    [Fact]
    public void A_pure_tone_on_a_bin_peaks_at_that_bin()
    {
        var options = new FeatureOptions { Kind = FeatureKind.Power, Window = WindowKind.Rectangular, PreEmphasis = 0, FrameLength = TimeSpan.FromMilliseconds(32) };
        var k0 = 37; // 37 · 16000 / 512 Hz
        var signal = Signals.Sine(k0 * 16000.0 / 512, 16000, 512, amplitude: 1);
        var power = new FeatureExtractor(options).Extract(signal).Row(0);
        var peak = 0;
        for (var k = 1; k < power.Length; k++)
        {
            peak = power[k] > power[peak] ? k : peak;
        }
        Assert.Equal(k0, peak);
        // All the energy is in that bin: |X(k0)|² = (N · A / 2)².
        Assert.Equal(Math.Pow(512 * 0.5, 2), power[k0], 256.0 * 256 * 1e-4);
    }

    [Fact]
    public void Parseval_holds_for_the_power_spectrum()
    {
        var options = new FeatureOptions { Kind = FeatureKind.Power, Window = WindowKind.Rectangular, PreEmphasis = 0, FrameLength = TimeSpan.FromMilliseconds(32) };
        var signal = Signals.Noise(512, 0.5, 99);
        var power = new FeatureExtractor(options).Extract(signal).Row(0).ToArray();
        var n = 512;
        double spectral = power[0] + power[n / 2];
        for (var k = 1; k < n / 2; k++)
        {
            spectral += 2 * power[k];
        }
        var energy = signal.Sum(s => (double)s * s);
        Assert.Equal(energy, spectral / n, energy * 1e-5);
    }

    [Fact]
    public void A_tone_at_a_filter_centre_is_loudest_in_that_filter()
    {
        var options = new FeatureOptions { MelBins = 23, PreEmphasis = 0 };
        var extractor = new FeatureExtractor(options);
        var lo = MelFilterbank.HzToMel(20);
        var hi = MelFilterbank.HzToMel(8000);
        foreach (var m in new[] { 3, 10, 17 })
        {
            var centre = MelFilterbank.MelToHz(lo + ((hi - lo) * (m + 1) / 24));
            var logMel = extractor.Extract(Signals.Sine(centre, 16000, 4000)).Row(5).ToArray();
            Assert.Equal(m, Array.IndexOf(logMel, logMel.Max()));
        }
    }

    [Fact]
    public void Mel_scale_round_trips_and_matches_known_values()
    {
        Assert.Equal(1000.0, MelFilterbank.HzToMel(1000), 0.1); // ≈ 999.99 on the HTK scale
        Assert.Equal(2840.0, MelFilterbank.HzToMel(8000), 1.0);
        foreach (var f in new[] { 0.0, 123.0, 4000.0, 7999.0 })
        {
            Assert.Equal(f, MelFilterbank.MelToHz(MelFilterbank.HzToMel(f)), 1e-6);
        }
    }

    [Theory]
    [InlineData(NormalizationMode.None)]
    [InlineData(NormalizationMode.Streaming)]
    public void Streaming_in_chunks_equals_the_whole_signal(NormalizationMode mode)
    {
        var options = new FeatureOptions { Kind = FeatureKind.Mfcc, Normalization = mode, NormalizationWindow = 50 };
        var signal = Signals.Noise(16000, 0.2, 4).Zip(Signals.Sine(300, 16000, 16000, 0.3), (a, b) => a + b).ToArray();
        var whole = new FeatureExtractor(options).Extract(signal);
        if (mode == NormalizationMode.Streaming)
        {
            var reference = new StreamingNormalizer(whole.Bins, 50);
            for (var f = 0; f < whole.Frames; f++)
            {
                reference.Normalize(whole.Row(f));
            }
        }
        var streaming = new StreamingFeatureExtractor(options);
        var random = new Random(1);
        var parts = new List<FeatureMatrix>();
        for (var at = 0; at < signal.Length;)
        {
            var n = Math.Min(random.Next(1, 900), signal.Length - at);
            parts.Add(streaming.Accept(signal.AsSpan(at, n)));
            at += n;
        }
        var joined = FeatureMatrix.Concat(parts);
        Assert.Equal(whole.Frames, joined.Frames);
        for (var i = 0; i < whole.Data.Length; i++)
        {
            Assert.Equal(whole.Data[i], joined.Data[i], 1e-4f);
        }
    }

    [Fact]
    public void Utterance_normalisation_gives_zero_mean_and_unit_variance()
    {
        var features = new FeatureExtractor(new FeatureOptions()).Extract(Signals.Noise(8000, 0.3, 2));
        FeatureNormalizer.NormalizeUtterance(features);
        for (var b = 0; b < features.Bins; b++)
        {
            var column = Enumerable.Range(0, features.Frames).Select(f => (double)features[f, b]).ToArray();
            Assert.Equal(0, column.Average(), 1e-4);
            Assert.Equal(1, Math.Sqrt(column.Select(v => v * v).Average()), 1e-3);
        }
    }

    [Fact]
    public void Invalid_options_are_rejected_with_the_reason()
    {
        var e = Assert.Throws<ArgumentException>(() => new FeatureExtractor(new FeatureOptions { Kind = FeatureKind.Mfcc, Coefficients = 50, MelBins = 40 }));
        Assert.Contains("coefficients", e.Message);
        Assert.Throws<ArgumentException>(() => new FeatureExtractor(new FeatureOptions { HighFrequency = 9000 }));
        Assert.Throws<ArgumentException>(() => new FeatureExtractor(new FeatureOptions { FftSize = 300 }));
    }

    [Fact]
    public void Matrices_convert_to_and_from_two_dimensional_arrays()
    {
        var m = new FeatureMatrix(3, 2, [1, 2, 3, 4, 5, 6]);
        var array = m.ToArray();
        Assert.Equal(4f, array[1, 1]);
        Assert.Equal(m.Data, FeatureMatrix.FromArray(array).Data);
    }
}
