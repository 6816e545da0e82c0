using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace StreamSeq.Ingest;

/// <summary>
/// Runs the system's <c>ffmpeg</c> program, the one way StreamSeq reaches it: the executable is
/// <c>STREAMSEQ_FFMPEG</c> when set, else <c>ffmpeg</c> on the PATH (scripts/setup.sh installs it). Besides
/// decoding what OpenCV and the WAV reader cannot (compressed audio, network streams: the FFmpeg linked into
/// OpenCvSharp's runtime has no network protocols), it probes media and encodes raw samples or frames.
/// Every process is a <see cref="FfmpegProcess"/>: stderr drained, its end checked, killed on dispose.
/// </summary>
public static class Ffmpeg
{
    /// <summary>The environment variable naming the ffmpeg executable to run.</summary>
    public const string ExecutableVariable = "STREAMSEQ_FFMPEG";

    /// <summary>The ffmpeg executable used: <c>STREAMSEQ_FFMPEG</c> if set, else <c>ffmpeg</c> on the PATH.</summary>
    public static string Executable => Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } custom ? custom : "ffmpeg";

    /// <summary>
    /// Starts ffmpeg with <paramref name="arguments"/> (<c>-hide_banner -nostdin</c> are added unless standard input
    /// is written); standard output and error are always redirected.
    /// </summary>
    /// <param name="input">What the process reads, for messages (a path, a URL, "raw samples").</param>
    /// <param name="arguments">ffmpeg's arguments after the global options.</param>
    /// <param name="writeInput">Redirect standard input, for encoding what the caller writes to <see cref="FfmpegProcess.StandardInput"/>.</param>
    /// <exception cref="FfmpegException">The executable cannot be run (not installed, not executable).</exception>
    public static FfmpegProcess Start(string input, IEnumerable<string> arguments, bool writeInput = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(input);
        var executable = Executable;
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = writeInput,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-hide_banner");
        if (!writeInput)
        {
            info.ArgumentList.Add("-nostdin");
        }
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new FfmpegException(input, $"'{executable}' did not start");
        }
        catch (Win32Exception e)
        {
            throw new FfmpegException(input, $"cannot run '{executable}' ({e.Message}); install ffmpeg (apt-get install ffmpeg; scripts/setup.sh installs it) or set {ExecutableVariable}", e);
        }
        return new FfmpegProcess(input, process);
    }

    /// <summary>
    /// Decodes the first video stream of <paramref name="input"/> to raw BGR frames (3 bytes a pixel, rows top
    /// down) on <see cref="FfmpegProcess.Output"/>; the frame size and rate arrive in <see cref="FfmpegProcess.VideoStream"/>.
    /// </summary>
    /// <param name="input">A path or a URL ffmpeg opens (rtsp, http, tcp, udp, …).</param>
    /// <param name="ioTimeout">How long a network read may block before ffmpeg gives up; null: ffmpeg's default.</param>
    /// <param name="realtime">Read at the media's own rate (<c>-re</c>).</param>
    public static FfmpegProcess DecodeVideo(string input, TimeSpan? ioTimeout = null, bool realtime = false)
    {
        // Stream lines are printed at the info level, which is why it is not "error" as for audio.
        var arguments = new List<string> { "-loglevel", "info", "-nostats" };
        if (ioTimeout is { } timeout)
        {
            arguments.AddRange(["-rw_timeout", Number((long)timeout.TotalMilliseconds * 1000)]);
        }
        if (realtime)
        {
            arguments.Add("-re");
        }
        // ffmpeg analyses 5 s of a stream by default before it says what it holds; a live source should start sooner.
        arguments.AddRange(["-analyzeduration", "1000000", "-probesize", "2000000", "-i", input, "-an", "-sn", "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1"]);
        return Start(input, arguments);
    }

    /// <summary>
    /// Decodes the first audio stream of <paramref name="input"/> to interleaved signed 16-bit little-endian PCM
    /// at <paramref name="sampleRate"/> and <paramref name="channels"/> (ffmpeg resamples and mixes) on
    /// <see cref="FfmpegProcess.Output"/>.
    /// </summary>
    /// <param name="input">A path or a URL ffmpeg opens (a video file, mp3, http/rtsp/udp streams, …).</param>
    /// <param name="sampleRate">Output rate.</param>
    /// <param name="channels">Output channels.</param>
    /// <param name="realtime">Read the input at its native rate (<c>-re</c>), for files that should behave live.</param>
    public static FfmpegProcess DecodeAudio(string input, int sampleRate, int channels, bool realtime = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        var arguments = new List<string> { "-loglevel", "error" };
        if (realtime)
        {
            arguments.Add("-re");
        }
        arguments.AddRange(["-i", input, "-map", "0:a:0", "-vn", "-sn", "-dn", "-ac", Number(channels), "-ar", Number(sampleRate),
            "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"]);
        return Start(input, arguments);
    }

    /// <summary>
    /// Encodes raw samples or frames that the caller writes to <see cref="FfmpegProcess.StandardInput"/> into
    /// <paramref name="output"/> (overwritten; the container and default codec follow its extension), then
    /// <see cref="FfmpegProcess.CompleteAsync"/> closes the input and checks that ffmpeg succeeded.
    /// </summary>
    /// <param name="input">The raw format written.</param>
    /// <param name="output">The file to write.</param>
    /// <param name="outputArguments">Codec options placed before the output (e.g. <c>-c:v ffv1</c>).</param>
    public static FfmpegProcess Encode(RawMediaFormat input, string output, IEnumerable<string>? outputArguments = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrEmpty(output);
        var arguments = new List<string> { "-loglevel", "error" };
        arguments.AddRange(input.Arguments());
        arguments.AddRange(["-i", "pipe:0"]);
        arguments.AddRange(outputArguments ?? []);
        arguments.AddRange(["-y", output]);
        return Start(output, arguments, writeInput: true);
    }

    /// <summary>
    /// What <paramref name="input"/> holds, as ffmpeg reports it when it opens it: duration and the first video
    /// and audio streams.
    /// </summary>
    /// <exception cref="FfmpegException">ffmpeg cannot run or cannot open the input; the message is ffmpeg's.</exception>
    public static async Task<MediaProbe> ProbeAsync(string input, CancellationToken cancellationToken = default)
    {
        // Without an output ffmpeg opens the input, prints what it holds and exits with 1 ("At least one output
        // file must be specified"); an input it cannot open prints no stream.
        await using var process = Start(input, ["-loglevel", "info", "-i", input]);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var probe = process.Probe;
        if (probe.Video is null && probe.Audio is null)
        {
            throw new FfmpegException(input, $"ffmpeg found no audio or video stream: {process.ErrorTail()}");
        }
        return probe;
    }

    internal static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    internal static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
