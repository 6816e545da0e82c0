using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using StreamSeq.Audio.Wav;

namespace StreamSeq.Audio.Io;

/// <summary>
/// Decodes the audio track of anything ffmpeg reads (a video file, an MP3, an http/rtsp/udp stream) by running
/// <c>ffmpeg</c> as a child process that writes raw 16-bit PCM at the wanted rate and channel count to its
/// standard output. At the end of its output the exit status is checked: a failure throws
/// <see cref="AudioFormatException"/> naming the input, with ffmpeg's own message. Disposing kills the
/// process (and its children) if it still runs.
/// </summary>
public sealed class FfmpegDecoder : IPcmReader
{
    private const int StderrKept = 4096;
    private readonly Process _process;
    private readonly RawPcmReader _pcm;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;
    private bool _ended;

    private FfmpegDecoder(string input, Process process, int sampleRate, int channels)
    {
        Input = input;
        _process = process;
        _pcm = new RawPcmReader(process.StandardOutput.BaseStream, new WavFormat(sampleRate, channels, WavSampleFormat.Pcm16), input);
        _stderrPump = PumpStderrAsync();
    }

    /// <summary>The input ffmpeg reads (path or URL).</summary>
    public string Input { get; }

    /// <inheritdoc />
    public int SampleRate => _pcm.SampleRate;

    /// <inheritdoc />
    public int Channels => _pcm.Channels;

    /// <summary>The ffmpeg executable used: <c>STREAMSEQ_FFMPEG</c> if set, else <c>ffmpeg</c> on the PATH.</summary>
    public static string Executable => Environment.GetEnvironmentVariable("STREAMSEQ_FFMPEG") is { Length: > 0 } custom ? custom : "ffmpeg";

    /// <summary>Starts ffmpeg on <paramref name="input"/>.</summary>
    /// <param name="input">A path or a URL ffmpeg understands.</param>
    /// <param name="sampleRate">Output rate (ffmpeg resamples).</param>
    /// <param name="channels">Output channels (ffmpeg mixes).</param>
    /// <param name="realtime">Read the input at its native rate (<c>-re</c>), for files that should behave live.</param>
    public static FfmpegDecoder Start(string input, int sampleRate, int channels, bool realtime = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(input);
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-nostdin", "-hide_banner", "-loglevel", "error"])
        {
            info.ArgumentList.Add(arg);
        }
        if (realtime)
        {
            info.ArgumentList.Add("-re");
        }
        foreach (var arg in (string[])["-i", input, "-map", "0:a:0", "-vn", "-sn", "-dn", "-ac", channels.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-ar", sampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture), "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"])
        {
            info.ArgumentList.Add(arg);
        }
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new AudioFormatException(input, $"could not start {Executable}");
        }
        catch (Win32Exception e)
        {
            throw new AudioFormatException(input, $"cannot run '{Executable}' to decode it ({e.Message}); install ffmpeg (apt-get install ffmpeg)", e);
        }
        return new FfmpegDecoder(input, process, sampleRate, channels);
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
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await _stderrPump.ConfigureAwait(false);
        if (_process.ExitCode != 0)
        {
            throw new AudioFormatException(Input, $"ffmpeg failed (exit {_process.ExitCode}): {Tail()}");
        }
        return 0;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // exited between the check and the kill
        }
        await _pcm.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            await _stderrPump.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The kill was sent; a process that ignores it is the system's to reap.
        }
        _process.Dispose();
    }

    private string Tail()
    {
        lock (_stderr)
        {
            var text = _stderr.ToString().Trim();
            return text.Length == 0 ? "(no message)" : text.Replace('\n', ' ');
        }
    }

    private async Task PumpStderrAsync()
    {
        var buffer = new char[1024];
        var reader = _process.StandardError;
        int n;
        while ((n = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (_stderr)
            {
                _stderr.Append(buffer, 0, n);
                if (_stderr.Length > StderrKept)
                {
                    _stderr.Remove(0, _stderr.Length - StderrKept);
                }
            }
        }
    }
}
