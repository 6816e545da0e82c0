using NWaves.Transforms;

namespace StreamSeq.Audio.Features;

/// <summary>
/// Computes frame features from mono audio: framing (frames of <see cref="FeatureOptions.FrameLength"/>
/// every <see cref="FeatureOptions.FrameShift"/>, the first starting at sample 0, only whole frames),
/// optional DC removal, pre-emphasis (using the sample before the frame, 0 before the signal), window, FFT
/// (NWaves' real FFT), power spectrum, mel filterbank, natural log, and for MFCC an orthonormal DCT-II with
/// optional liftering. Normalisation is separate (<see cref="FeatureNormalizer"/>), as is streaming
/// (<see cref="StreamingFeatureExtractor"/>). One instance is not thread-safe (it reuses buffers).
/// </summary>
public sealed class FeatureExtractor
{
    private readonly RealFft _fft;
    private readonly float[] _window;
    private readonly float[] _frame;
    private readonly float[] _re;
    private readonly float[] _im;
    private readonly float[] _power;
    private readonly float[] _mel;
    private readonly MelFilterbank? _filterbank;
    private readonly float[]? _dct; // [coefficients][melBins]
    private readonly float[]? _lifter;

    /// <summary>Creates an extractor; the options are checked.</summary>
    public FeatureExtractor(FeatureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        Options = options;
        FrameSamples = options.FrameSamples;
        ShiftSamples = options.ShiftSamples;
        FftSize = options.EffectiveFftSize;
        _fft = new RealFft(FftSize);
        _window = CreateWindow(options.Window, FrameSamples);
        _frame = new float[FftSize];
        _re = new float[FftSize];
        _im = new float[FftSize];
        _power = new float[(FftSize / 2) + 1];
        _mel = new float[options.MelBins];
        if (options.Kind != FeatureKind.Power)
        {
            _filterbank = new MelFilterbank(options.MelBins, FftSize, options.SampleRate, options.LowFrequency, options.EffectiveHighFrequency);
        }
        if (options.Kind == FeatureKind.Mfcc)
        {
            _dct = CreateDct(options.Coefficients, options.MelBins);
            if (options.Lifter > 0)
            {
                _lifter = [.. Enumerable.Range(0, options.Coefficients).Select(i => (float)(1 + (options.Lifter / 2 * Math.Sin(Math.PI * i / options.Lifter))))];
            }
        }
        Bins = options.OutputBins;
    }

    /// <summary>The options in use.</summary>
    public FeatureOptions Options { get; }

    /// <summary>Samples per frame.</summary>
    public int FrameSamples { get; }

    /// <summary>Samples between frame starts.</summary>
    public int ShiftSamples { get; }

    /// <summary>FFT size.</summary>
    public int FftSize { get; }

    /// <summary>Values per frame.</summary>
    public int Bins { get; }

    /// <summary>The mel filterbank (null for power spectra).</summary>
    public MelFilterbank? Filterbank => _filterbank;

    /// <summary>Frames that <paramref name="samples"/> samples give: 1 + (samples − frame) / shift, or 0.</summary>
    public int FrameCount(long samples) => samples < FrameSamples ? 0 : (int)(1 + ((samples - FrameSamples) / ShiftSamples));

    /// <summary>Features of a whole mono signal.</summary>
    public FeatureMatrix Extract(ReadOnlySpan<float> signal)
    {
        var frames = FrameCount(signal.Length);
        var result = new FeatureMatrix(frames, Bins);
        for (var f = 0; f < frames; f++)
        {
            var start = f * ShiftSamples;
            var previous = start > 0 ? signal[start - 1] : 0f;
            ComputeFrame(signal.Slice(start, FrameSamples), previous, result.Row(f));
        }
        return result;
    }

    /// <summary>
    /// Features of one frame of <see cref="FrameSamples"/> samples; <paramref name="previous"/> is the sample
    /// just before it (pre-emphasis), 0 at the start of a signal.
    /// </summary>
    public void ComputeFrame(ReadOnlySpan<float> samples, float previous, Span<float> output)
    {
        if (samples.Length != FrameSamples)
        {
            throw new ArgumentException($"a frame is {FrameSamples} samples, not {samples.Length}", nameof(samples));
        }
        var n = FrameSamples;
        float mean = 0;
        if (Options.RemoveDcOffset)
        {
            double sum = 0;
            foreach (var s in samples)
            {
                sum += s;
            }
            mean = (float)(sum / n);
            previous -= mean;
        }
        var a = (float)Options.PreEmphasis;
        var prior = previous;
        for (var i = 0; i < n; i++)
        {
            var x = samples[i] - mean;
            _frame[i] = (x - (a * prior)) * _window[i];
            prior = x;
        }
        Array.Clear(_frame, n, FftSize - n);
        _fft.Direct(_frame, _re, _im);
        for (var k = 0; k < _power.Length; k++)
        {
            _power[k] = (_re[k] * _re[k]) + (_im[k] * _im[k]);
        }
        if (Options.Kind == FeatureKind.Power)
        {
            _power.CopyTo(output);
            return;
        }
        _filterbank!.Apply(_power, _mel);
        var floor = (float)Options.LogFloor;
        for (var m = 0; m < _mel.Length; m++)
        {
            _mel[m] = MathF.Log(Math.Max(_mel[m], floor));
        }
        if (_dct is null)
        {
            _mel.CopyTo(output);
            return;
        }
        var bins = _mel.Length;
        for (var c = 0; c < Bins; c++)
        {
            var row = _dct.AsSpan(c * bins, bins);
            double sum = 0;
            for (var m = 0; m < bins; m++)
            {
                sum += row[m] * _mel[m];
            }
            output[c] = (float)sum * (_lifter?[c] ?? 1f);
        }
    }

    /// <summary>The window of <paramref name="kind"/> over <paramref name="length"/> samples (symmetric).</summary>
    public static float[] CreateWindow(WindowKind kind, int length)
    {
        var w = new float[length];
        var denominator = Math.Max(1, length - 1);
        for (var i = 0; i < length; i++)
        {
            var c = Math.Cos(2 * Math.PI * i / denominator);
            w[i] = (float)(kind switch
            {
                WindowKind.Hamming => 0.54 - (0.46 * c),
                WindowKind.Hann => 0.5 - (0.5 * c),
                WindowKind.Povey => Math.Pow(0.5 - (0.5 * c), 0.85),
                _ => 1.0,
            });
        }
        return w;
    }

    private static float[] CreateDct(int coefficients, int bins)
    {
        var dct = new float[coefficients * bins];
        for (var c = 0; c < coefficients; c++)
        {
            var scale = Math.Sqrt((c == 0 ? 1.0 : 2.0) / bins);
            for (var m = 0; m < bins; m++)
            {
                dct[(c * bins) + m] = (float)(scale * Math.Cos(Math.PI * c * (m + 0.5) / bins));
            }
        }
        return dct;
    }
}
