using StreamSeq.Audio.Io;
using StreamSeq.Audio.Wav;

namespace StreamSeq.Speech;

/// <summary>Reads whole recordings for one-shot recognition and training: mono at the model's rate.</summary>
public static class SpeechAudio
{
    /// <summary>Longest recording read whole (4 hours: 230 million samples, 0.9 GB of floats at 16 kHz).</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(4);

    /// <summary>
    /// Mono samples of a WAV file (any rate, channels and sample format: read and resampled here) or of anything
    /// else ffmpeg decodes (the first audio track of a video, mp3, …; decoded by an ffmpeg child process).
    /// </summary>
    /// <exception cref="StreamSeq.Audio.Wav.AudioFormatException">The file is corrupt, truncated or has no audio; the message names it.</exception>
    public static async Task<float[]> LoadAsync(string path, int sampleRate, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path) && !path.Contains("://", StringComparison.Ordinal))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }
        if (IsWav(path))
        {
            using var reader = new WavReader(path);
            // The header's declared length is checked against the file by WavReader; this refuses a real file too
            // long to hold in memory before any of it is read.
            if (reader.FrameCount is { } frames && frames > MaxDuration.TotalSeconds * reader.Format.SampleRate)
            {
                throw new AudioFormatException(path, $"{frames / (double)reader.Format.SampleRate / 3600:0.#} hours of audio is longer than the {MaxDuration.TotalHours:0} hours one call reads (split it, or stream it through a pipeline)");
            }
            return reader.ReadToEnd().ToMono().Resample(sampleRate).Samples;
        }
        return (await FfmpegDecoder.DecodeAllAsync(path, sampleRate, 1, MaxDuration, cancellationToken).ConfigureAwait(false)).Samples;
    }

    private static bool IsWav(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        Span<byte> header = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        return stream.Read(header) == 4 && header.SequenceEqual("RIFF"u8);
    }
}
