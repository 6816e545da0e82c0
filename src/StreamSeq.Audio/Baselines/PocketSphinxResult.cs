namespace StreamSeq.Audio.Baselines;

/// <summary>What one <see cref="PocketSphinx.RecogniseAsync"/> run heard, and how long it took.</summary>
/// <param name="Hypotheses">One per input file, in order: lower-case words separated by single spaces ("" when nothing was recognised).</param>
/// <param name="Elapsed">Wall time of the whole call: audio conversion and decoding.</param>
/// <param name="DecodeTime">Wall time of the decoder process alone (start, model loading, decoding, exit).</param>
/// <param name="AudioSeconds">Total duration of the input audio.</param>
public sealed record PocketSphinxResult(IReadOnlyList<string> Hypotheses, TimeSpan Elapsed, TimeSpan DecodeTime, double AudioSeconds)
{
    /// <summary>Real-time factor: <see cref="Elapsed"/> / audio duration (below 1 is faster than real time); 0 without audio.</summary>
    public double RealTimeFactor => AudioSeconds > 0 ? Elapsed.TotalSeconds / AudioSeconds : 0;
}
