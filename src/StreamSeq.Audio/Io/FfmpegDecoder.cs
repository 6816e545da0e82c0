using StreamSeq.Audio.Wav;
using StreamSeq.Ingest;

namespace StreamSeq.Audio.Io;

/// <summary>
/// Decodes the audio track of anything ffmpeg reads (a video file, an MP3, an http/rtsp/udp stream) through
/// <see cref="Ffmpeg.DecodeAudio"/>: a child process that writes raw 16-bit PCM at the wanted rate and channel
/// count to its standard output. At the end of its output the exit status is checked: a failure throws
/// <see cref="AudioFormatException"/> naming the input, with ffmpeg's own message. Disposing kills the
/// process (and its children) if it still runs.
/// </summary>
public sealed class FfmpegDecoder : IPcmReader
{
    private readonly FfmpegProcess _process;
    private readonly RawPcmReader _pcm;
    private bool _ended;

    private FfmpegDecoder(string input, FfmpegProcess process, int sampleRate, int channels)
    {
        Input = input;
        _process = process;
        _pcm = new RawPcmReader(process.Output, new WavFormat(sampleRate, channels, WavSampleFormat.Pcm16), input);
    }

    /// <summary>The input ffmpeg reads (path or URL).</summary>
    public string Input { get; }

    /// <inheritdoc />
    public int SampleRate => _pcm.SampleRate;

    /// <inheritdoc />
    public int Channels => _pcm.Channels;

    /// <summary>Starts ffmpeg on <paramref name="input"/>.</summary>
    /// <param name="input">A path or a URL ffmpeg understands.</param>
    /// <param name="sampleRate">Output rate (ffmpeg resamples).</param>
    /// <param name="channels">Output channels (ffmpeg mixes).</param>
    /// <param name="realtime">Read the input at its native rate (<c>-re</c>), for files that should behave live.</param>
    /// <exception cref="AudioFormatException">ffmpeg cannot be run.</exception>
    public static FfmpegDecoder Start(string input, int sampleRate, int channels, bool realtime = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(input);
        try
        {
            return new FfmpegDecoder(input, Ffmpeg.DecodeAudio(input, sampleRate, channels, realtime), sampleRate, channels);
        }
        catch (FfmpegException e)
        {
            throw new AudioFormatException(input, e.Reason, e);
        }
    }

    /// <summary>
    /// The whole decoded audio of <paramref name="input"/>; refuses more than <paramref name="maxDuration"/>
    /// (when given) before it holds it all.
    /// </summary>
    /// <exception cref="AudioFormatException">ffmpeg cannot run or decode the input, or it is too long.</exception>
    public static async Task<AudioBuffer> DecodeAllAsync(string input, int sampleRate, int channels, TimeSpan? maxDuration = null, CancellationToken cancellationToken = default)
    {
        await using var decoder = Start(input, sampleRate, channels);
        var limit = maxDuration is { } max ? (long)(max.TotalSeconds * sampleRate * channels) : long.MaxValue;
        var samples = new List<float>(sampleRate * channels * 4);
        var block = new float[8192 * channels];
        int read;
        while ((read = await decoder.ReadAsync(block, cancellationToken).ConfigureAwait(false)) > 0)
        {
            samples.AddRange(block.AsSpan(0, read));
            if (samples.Count > limit)
            {
                throw new AudioFormatException(input, $"more than {maxDuration!.Value.TotalHours:0.#} hours of audio, the most one call reads (split it, or stream it through a pipeline)");
            }
        }
        return new AudioBuffer([.. samples], sampleRate, channels);
    }

    /// <inheritdoc />
    public async ValueTask<int> ReadAsync(Memory<float> destination, CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return 0;
        }
        var read = await _pcm.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
        if (read > 0)
        {
            return read;
        }
        _ended = true;
        try
        {
            await _process.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (FfmpegException e)
        {
            throw new AudioFormatException(Input, e.Reason, e);
        }
        return 0;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Killed first: the reader's pipe closes under a process that may still be writing.
        await _process.DisposeAsync().ConfigureAwait(false);
        await _pcm.DisposeAsync().ConfigureAwait(false);
    }
}
