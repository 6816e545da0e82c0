namespace StreamSeq.Audio.Data;

/// <summary>
/// What <see cref="WaveAugmenter"/> does to one utterance: each effect is applied with its probability, its
/// strength drawn uniformly from its range. The defaults follow the recording conditions a deployed recogniser
/// meets (telephone bands, rooms, noise, clipped inputs) at rates that leave most utterances mildly changed.
/// </summary>
public sealed record WaveAugmentOptions
{
    /// <summary>Probability of a speed change (resampling: tempo and pitch together, as Kaldi's speed perturbation).</summary>
    public double SpeedProbability { get; init; } = 0.6;

    /// <summary>Speed factors (above 1 is faster and shorter).</summary>
    public (double Min, double Max) Speed { get; init; } = (0.9, 1.1);

    /// <summary>Probability of a synthetic room (Schroeder reverberator, <see cref="AudioEffects.Reverberate"/>).</summary>
    public double ReverbProbability { get; init; } = 0.3;

    /// <summary>Probability of additive noise (coloured noise, or babble when other utterances are given).</summary>
    public double NoiseProbability { get; init; } = 0.5;

    /// <summary>Signal-to-noise ratios (dB) of the added noise.</summary>
    public (double Min, double Max) SnrDb { get; init; } = (0, 20);

    /// <summary>Share of the noisy utterances whose noise is babble (a few other utterances summed).</summary>
    public double BabbleShare { get; init; } = 0.3;

    /// <summary>Probability of a telephone band (300–3400 Hz).</summary>
    public double TelephoneProbability { get; init; } = 0.2;

    /// <summary>Probability of a level change.</summary>
    public double GainProbability { get; init; } = 0.5;

    /// <summary>Level changes (dB).</summary>
    public (double Min, double Max) GainDb { get; init; } = (-20, 6);

    /// <summary>Probability of clipping.</summary>
    public double ClipProbability { get; init; } = 0.1;

    /// <summary>Clipping levels as a fraction of the utterance's peak.</summary>
    public (double Min, double Max) ClipLevel { get; init; } = (0.2, 0.7);

    /// <summary>Nothing changes (for runs without augmentation).</summary>
    public static WaveAugmentOptions None { get; } = new()
    {
        SpeedProbability = 0, ReverbProbability = 0, NoiseProbability = 0, TelephoneProbability = 0, GainProbability = 0, ClipProbability = 0,
    };
}
