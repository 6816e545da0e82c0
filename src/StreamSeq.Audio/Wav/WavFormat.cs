namespace StreamSeq.Audio.Wav;

/// <summary>How samples are stored in a WAV file's data chunk.</summary>
public enum WavSampleFormat
{
    /// <summary>8-bit unsigned integer PCM (offset 128).</summary>
    Pcm8,

    /// <summary>16-bit signed little-endian PCM.</summary>
    Pcm16,

    /// <summary>24-bit signed little-endian PCM (3 bytes per sample).</summary>
    Pcm24,

    /// <summary>32-bit signed little-endian PCM.</summary>
    Pcm32,

    /// <summary>32-bit IEEE float.</summary>
    Float32,

    /// <summary>64-bit IEEE float.</summary>
    Float64,
}

/// <summary>The format of a WAV file: rate, channels, sample encoding and whether the header is
/// WAVE_FORMAT_EXTENSIBLE.</summary>
/// <param name="SampleRate">Frames per second.</param>
/// <param name="Channels">Interleaved channels.</param>
/// <param name="SampleFormat">Sample encoding.</param>
/// <param name="Extensible">Whether the fmt chunk is WAVE_FORMAT_EXTENSIBLE (0xFFFE).</param>
public sealed record WavFormat(int SampleRate, int Channels, WavSampleFormat SampleFormat, bool Extensible = false)
{
    /// <summary>Bytes per sample of one channel.</summary>
    public int BytesPerSample => SampleFormat switch
    {
        WavSampleFormat.Pcm8 => 1,
        WavSampleFormat.Pcm16 => 2,
        WavSampleFormat.Pcm24 => 3,
        WavSampleFormat.Pcm32 or WavSampleFormat.Float32 => 4,
        _ => 8,
    };

    /// <summary>Bits per sample of one channel.</summary>
    public int BitsPerSample => BytesPerSample * 8;

    /// <summary>Bytes per frame (all channels).</summary>
    public int BlockAlign => BytesPerSample * Channels;

    /// <summary>Whether samples are IEEE floats.</summary>
    public bool IsFloat => SampleFormat is WavSampleFormat.Float32 or WavSampleFormat.Float64;

    /// <summary>16-bit mono PCM at a rate.</summary>
    public static WavFormat Pcm16Mono(int sampleRate) => new(sampleRate, 1, WavSampleFormat.Pcm16);
}
