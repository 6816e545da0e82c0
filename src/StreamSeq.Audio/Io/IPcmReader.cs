namespace StreamSeq.Audio.Io;

/// <summary>A source of interleaved float PCM: a WAV file, raw PCM on a stream, ffmpeg's output.</summary>
public interface IPcmReader : IAsyncDisposable
{
    /// <summary>Frames per second.</summary>
    int SampleRate { get; }

    /// <summary>Interleaved channels.</summary>
    int Channels { get; }

    /// <summary>Reads whole frames into <paramref name="destination"/>; returns samples read, 0 at the end.
    /// Returns as soon as some frames are available (a live stream does not wait to fill the buffer).</summary>
    ValueTask<int> ReadAsync(Memory<float> destination, CancellationToken cancellationToken);
}
