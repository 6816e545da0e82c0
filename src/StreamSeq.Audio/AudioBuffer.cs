namespace StreamSeq.Audio;

/// <summary>A whole clip of PCM audio in memory: interleaved float samples, sample rate and channel count.</summary>
public sealed class AudioBuffer
{
    /// <summary>Creates a buffer.</summary>
    /// <param name="samples">Interleaved samples; the buffer takes ownership of the array.</param>
    /// <param name="sampleRate">Samples per second per channel.</param>
    /// <param name="channels">Interleaved channels.</param>
    public AudioBuffer(float[] samples, int sampleRate, int channels = 1)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        if (samples.Length % channels != 0)
        {
            throw new ArgumentException($"{samples.Length} samples do not divide into {channels} channels", nameof(samples));
        }
        Samples = samples;
        SampleRate = sampleRate;
        Channels = channels;
    }

    /// <summary>Interleaved samples, nominally in [-1, 1].</summary>
    public float[] Samples { get; }

    /// <summary>Samples per second per channel.</summary>
    public int SampleRate { get; }

    /// <summary>Interleaved channels.</summary>
    public int Channels { get; }

    /// <summary>Frames (samples per channel).</summary>
    public int Frames => Samples.Length / Channels;

    /// <summary>Length in time.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Frames / SampleRate);

    /// <summary>The mono mix (this buffer itself when it is already mono).</summary>
    public AudioBuffer ToMono() => Channels == 1 ? this : new AudioBuffer(AudioMath.Downmix(Samples, Channels), SampleRate, 1);

    /// <summary>The samples as interleaved signed 16-bit little-endian PCM (rounded; out-of-range values clip).</summary>
    public byte[] ToPcm16()
    {
        var bytes = new byte[Samples.Length * 2];
        Wav.SampleCodec.Encode(Samples, bytes, Wav.WavSampleFormat.Pcm16);
        return bytes;
    }

    /// <summary>The buffer at another sample rate, through <see cref="Dsp.Resampler"/>; mono or per channel.</summary>
    public AudioBuffer Resample(int sampleRate)
    {
        if (sampleRate == SampleRate)
        {
            return this;
        }
        if (Channels == 1)
        {
            return new AudioBuffer(Dsp.Resampler.ResampleAll(Samples, SampleRate, sampleRate), sampleRate, 1);
        }
        var converter = new Dsp.AudioConverter(SampleRate, Channels, sampleRate, Channels);
        var head = converter.Convert(Samples);
        var tail = converter.Flush();
        return new AudioBuffer([.. head, .. tail], sampleRate, Channels);
    }
}
