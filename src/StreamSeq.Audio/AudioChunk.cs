namespace StreamSeq.Audio;

/// <summary>
/// A block of PCM audio on a stream: interleaved float samples in [-1, 1], the sample rate and channel count,
/// and where the block lies in its stream. The packet that carries it is stamped with the originating (media)
/// time of <see cref="StartSample"/>; <see cref="StartSample"/> and <see cref="SampleRate"/> give every
/// sample's time inside the stream without rounding drift.
/// </summary>
public sealed class AudioChunk : IAudioPayload
{
    /// <summary>Creates a chunk.</summary>
    /// <param name="samples">Interleaved samples; the chunk takes ownership of the array.</param>
    /// <param name="sampleRate">Samples per second per channel.</param>
    /// <param name="channels">Channels interleaved in <paramref name="samples"/>.</param>
    /// <param name="startSample">Index (in frames) of the first frame since the stream began.</param>
    /// <param name="discontinuity">Whether audio before this chunk is not contiguous with it (a reconnect, a loop).</param>
    public AudioChunk(float[] samples, int sampleRate, int channels, long startSample, bool discontinuity = false)
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
        StartSample = startSample;
        Discontinuity = discontinuity;
    }

    /// <summary>Interleaved samples, nominally in [-1, 1]. Not written by JSON sinks (too bulky for a line).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public float[] Samples { get; }

    /// <summary>Samples per second per channel.</summary>
    public int SampleRate { get; }

    /// <summary>Number of interleaved channels.</summary>
    public int Channels { get; }

    /// <summary>Number of frames (samples per channel).</summary>
    public int Frames => Samples.Length / Channels;

    /// <summary>Frame index of the first frame since the stream began.</summary>
    public long StartSample { get; }

    /// <summary>Whether the stream is not contiguous before this chunk (reconnect, loop): stateful consumers reset.</summary>
    public bool Discontinuity { get; }

    /// <summary>Offset of the first frame from the start of the stream.</summary>
    public TimeSpan StreamOffset => TimeSpan.FromSeconds((double)StartSample / SampleRate);

    /// <summary>Duration of the chunk.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Frames / SampleRate);

    /// <inheritdoc />
    public override string ToString() => $"audio {Frames} frames x {Channels} ch @ {SampleRate} Hz from {StreamOffset.TotalSeconds:F3} s";
}
