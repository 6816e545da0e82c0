namespace StreamSeq.Audio.Dsp;

/// <summary>
/// Streaming conversion of interleaved audio to a target rate and channel layout: downmix to mono (or keep
/// the channels) and resample each channel with a <see cref="Resampler"/>. Stateful across chunks.
/// </summary>
public sealed class AudioConverter
{
    private readonly Resampler[] _resamplers;

    /// <summary>Creates a converter.</summary>
    /// <param name="inputRate">Rate of the input.</param>
    /// <param name="inputChannels">Interleaved channels of the input.</param>
    /// <param name="outputRate">Rate wanted.</param>
    /// <param name="outputChannels">1 to downmix, or <paramref name="inputChannels"/> to keep them.</param>
    public AudioConverter(int inputRate, int inputChannels, int outputRate, int outputChannels)
    {
        if (outputChannels != 1 && outputChannels != inputChannels)
        {
            throw new ArgumentException($"cannot turn {inputChannels} channels into {outputChannels}: 1 (downmix) or {inputChannels} (keep)", nameof(outputChannels));
        }
        InputRate = inputRate;
        InputChannels = inputChannels;
        OutputRate = outputRate;
        OutputChannels = outputChannels;
        _resamplers = inputRate == outputRate ? [] : [.. Enumerable.Range(0, outputChannels).Select(_ => new Resampler(inputRate, outputRate))];
    }

    /// <summary>Input rate.</summary>
    public int InputRate { get; }

    /// <summary>Input channels.</summary>
    public int InputChannels { get; }

    /// <summary>Output rate.</summary>
    public int OutputRate { get; }

    /// <summary>Output channels.</summary>
    public int OutputChannels { get; }

    /// <summary>Converts a block of interleaved input; returns the interleaved output ready so far.</summary>
    public float[] Convert(ReadOnlySpan<float> interleaved) => Run(interleaved, flush: false);

    /// <summary>Returns the output still held back at the end of the stream.</summary>
    public float[] Flush() => Run([], flush: true);

    /// <summary>Starts over (after a discontinuity).</summary>
    public void Reset()
    {
        foreach (var r in _resamplers)
        {
            r.Reset();
        }
    }

    private float[] Run(ReadOnlySpan<float> interleaved, bool flush)
    {
        if (OutputChannels == 1)
        {
            var mono = InputChannels == 1 ? interleaved.ToArray() : AudioMath.Downmix(interleaved, InputChannels);
            if (_resamplers.Length == 0)
            {
                return mono;
            }
            return flush ? _resamplers[0].Flush() : _resamplers[0].Process(mono);
        }
        if (_resamplers.Length == 0)
        {
            return interleaved.ToArray();
        }
        var frames = interleaved.Length / InputChannels;
        var outputs = new float[OutputChannels][];
        var channel = new float[frames];
        for (var c = 0; c < OutputChannels; c++)
        {
            for (var i = 0; i < frames; i++)
            {
                channel[i] = interleaved[(i * InputChannels) + c];
            }
            outputs[c] = flush ? _resamplers[c].Flush() : _resamplers[c].Process(channel);
        }
        // Every channel's resampler saw the same number of frames, so they produce equal lengths.
        var length = outputs[0].Length;
        var result = new float[length * OutputChannels];
        for (var c = 0; c < OutputChannels; c++)
        {
            for (var i = 0; i < length; i++)
            {
                result[(i * OutputChannels) + c] = outputs[c][i];
            }
        }
        return result;
    }
}
