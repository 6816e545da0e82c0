using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace StreamSeq.Audio.Features;

/// <summary>What the feature extractor outputs per frame.</summary>
public enum FeatureKind
{
    /// <summary>Natural log of mel filterbank energies.</summary>
    LogMel,

    /// <summary>Mel-frequency cepstral coefficients (orthonormal DCT-II of the log-mel energies).</summary>
    Mfcc,

    /// <summary>Power spectrum |X(k)|², k = 0 … fftSize/2.</summary>
    Power,
}

/// <summary>The analysis window applied to each frame.</summary>
public enum WindowKind
{
    /// <summary>0.54 − 0.46 cos(2πn/(N−1)).</summary>
    Hamming,

    /// <summary>0.5 − 0.5 cos(2πn/(N−1)).</summary>
    Hann,

    /// <summary>Kaldi's: Hann raised to the power 0.85.</summary>
    Povey,

    /// <summary>No window.</summary>
    Rectangular,
}

/// <summary>Mean/variance normalisation of features.</summary>
public enum NormalizationMode
{
    /// <summary>None.</summary>
    None,

    /// <summary>Mean (and variance) over the whole utterance: needs the whole utterance.</summary>
    Utterance,

    /// <summary>Running statistics over a sliding window of past frames: causal, for live streams.</summary>
    Streaming,
}

/// <summary>Parameters of feature extraction (also the options of <c>audio.features</c>).</summary>
public class FeatureOptions : IValidatableObject
{
    [Description("Sample rate the features are computed at; input at another rate is an error (resample in audio.source)")]
    [Range(1000, 384000)]
    public int SampleRate { get; init; } = 16000;

    [Description("Frame length")]
    public TimeSpan FrameLength { get; init; } = TimeSpan.FromMilliseconds(25);

    [Description("Frame shift (hop)")]
    public TimeSpan FrameShift { get; init; } = TimeSpan.FromMilliseconds(10);

    [Description("FFT size; 0 = the next power of two at or above the frame length")]
    [Range(0, 65536)]
    public int FftSize { get; init; }

    [Description("Pre-emphasis coefficient a in y[n] = x[n] - a x[n-1]; 0 disables it")]
    [Range(0.0, 1.0)]
    public double PreEmphasis { get; init; } = 0.97;

    [Description("Subtract each frame's mean before pre-emphasis")]
    public bool RemoveDcOffset { get; init; }

    [Description("Analysis window")]
    public WindowKind Window { get; init; } = WindowKind.Hamming;

    [Description("log-mel, mfcc or power (|X|² per FFT bin)")]
    public FeatureKind Kind { get; init; } = FeatureKind.LogMel;

    [Description("Number of mel filters")]
    [Range(1, 512)]
    public int MelBins { get; init; } = 40;

    [Description("Lowest filterbank frequency (Hz)")]
    [Range(0.0, 192000.0)]
    public double LowFrequency { get; init; } = 20;

    [Description("Highest filterbank frequency (Hz); 0 = Nyquist, negative = Nyquist minus this")]
    public double HighFrequency { get; init; }

    [Description("MFCC: cepstral coefficients kept (including c0)")]
    [Range(1, 512)]
    public int Coefficients { get; init; } = 13;

    [Description("MFCC: cepstral liftering coefficient; 0 disables it")]
    [Range(0.0, 1000.0)]
    public double Lifter { get; init; }

    [Description("Smallest energy before the log (avoids log 0)")]
    [Range(1e-30, 1.0)]
    public double LogFloor { get; init; } = 1e-10;

    [Description("none, utterance or streaming mean/variance normalisation")]
    public NormalizationMode Normalization { get; init; } = NormalizationMode.None;

    [Description("Normalisation: also divide by the standard deviation (else mean only)")]
    public bool NormalizeVariance { get; init; } = true;

    [Description("Streaming normalisation: frames of history the running statistics cover")]
    [Range(1, 100000)]
    public int NormalizationWindow { get; init; } = 300;

    /// <summary>Frame length in samples.</summary>
    public int FrameSamples => (int)Math.Round(FrameLength.TotalSeconds * SampleRate);

    /// <summary>Frame shift in samples.</summary>
    public int ShiftSamples => (int)Math.Round(FrameShift.TotalSeconds * SampleRate);

    /// <summary>The FFT size in use.</summary>
    public int EffectiveFftSize => FftSize > 0 ? FftSize : (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, FrameSamples));

    /// <summary>The top filterbank frequency in use.</summary>
    public double EffectiveHighFrequency => HighFrequency > 0 ? HighFrequency : (SampleRate / 2.0) + HighFrequency;

    /// <summary>Values per output frame.</summary>
    public int OutputBins => Kind switch
    {
        FeatureKind.Mfcc => Coefficients,
        FeatureKind.Power => (EffectiveFftSize / 2) + 1,
        _ => MelBins,
    };

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FrameSamples < 2)
        {
            yield return new ValidationResult("'frameLength' must span at least 2 samples", [nameof(FrameLength)]);
        }
        if (ShiftSamples < 1)
        {
            yield return new ValidationResult("'frameShift' must span at least 1 sample", [nameof(FrameShift)]);
        }
        if (FftSize > 0 && (FftSize < FrameSamples || !System.Numerics.BitOperations.IsPow2(FftSize)))
        {
            yield return new ValidationResult($"'fftSize' must be a power of two at least the frame length ({FrameSamples} samples)", [nameof(FftSize)]);
        }
        if (EffectiveHighFrequency <= LowFrequency || EffectiveHighFrequency > SampleRate / 2.0)
        {
            yield return new ValidationResult($"the filterbank band {LowFrequency}..{EffectiveHighFrequency} Hz is empty or above Nyquist ({SampleRate / 2} Hz)", [nameof(HighFrequency)]);
        }
        if (Kind == FeatureKind.Mfcc && Coefficients > MelBins)
        {
            yield return new ValidationResult($"'coefficients' ({Coefficients}) cannot exceed 'melBins' ({MelBins})", [nameof(Coefficients)]);
        }
    }

    /// <summary>Throws when <see cref="Validate"/> finds a problem (library use outside pipelines).</summary>
    public void EnsureValid()
    {
        var problems = Validate(new ValidationContext(this)).Select(r => r.ErrorMessage).ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid feature options: " + string.Join("; ", problems));
        }
    }
}
