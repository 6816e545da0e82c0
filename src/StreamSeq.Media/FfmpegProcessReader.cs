using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using OpenCvSharp;

namespace StreamSeq.Media;

/// <summary>
/// Decodes a network stream with the system's <c>ffmpeg</c> program into raw BGR frames on a pipe. The
/// FFmpeg linked into OpenCvSharp's runtime has no network protocols (no tcp, udp, http, rtsp), so live
/// URLs go through the ffmpeg that setup installs, which has them all.
/// </summary>
internal sealed partial class FfmpegProcessReader : FrameReader
{
    private readonly Process _process;
    private readonly Stream _stdout;
    private readonly int _width;
    private readonly int _height;
    private readonly byte[] _buffer;
    private readonly double _fps;
    private long _index;

    private FfmpegProcessReader(Process process, int width, int height, double fps)
    {
        _process = process;
        _stdout = process.StandardOutput.BaseStream;
        _width = width;
        _height = height;
        _fps = fps;
        _buffer = new byte[width * height * 3];
    }

    public override TimeSpan FrameInterval => TimeSpan.FromSeconds(1 / _fps);

    /// <summary>Starts ffmpeg on <paramref name="url"/> and waits (up to <paramref name="timeout"/>) for it to report the video's size; null when it cannot.</summary>
    public static FfmpegProcessReader? Open(string url, TimeSpan timeout, double defaultFps, Action<string>? log = null)
    {
        var info = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var microseconds = ((long)timeout.TotalMilliseconds * 1000).ToString(CultureInfo.InvariantCulture);
        // ffmpeg analyses 5 s of a stream by default before it says what it holds; a live source should start sooner.
        foreach (var argument in new[] { "-hide_banner", "-nostdin", "-loglevel", "info", "-rw_timeout", microseconds, "-analyzeduration", "1000000", "-probesize", "2000000", "-i", url, "-an", "-sn", "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1" })
        {
            info.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new IOException("ffmpeg did not start");
        }
        catch (Win32Exception e)
        {
            throw new IOException("network video sources need the ffmpeg program (apt-get install ffmpeg; scripts/setup.sh installs it)", e);
        }
        var header = new TaskCompletionSource<(int Width, int Height, double Fps)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var tail = new Queue<string>();
        // A thread of its own drains stderr for the process's whole life (a full pipe would stall ffmpeg), so
        // the size arrives even when the opener blocks the pool's threads; the first video stream line gives it.
        // The reader is taken here: the thread may outlive the Process object, which Stop disposes.
        var stderr = process.StandardError;
        new Thread(() =>
        {
            try
            {
                Drain();
            }
            catch (Exception e) when (e is ObjectDisposedException or IOException)
            {
                // The reader was stopped and its pipe closed under the thread: nothing more to read.
            }
            header.TrySetCanceled();
        })
        { IsBackground = true, Name = "ffmpeg stderr" }.Start();

        void Drain()
        {
            while (stderr.ReadLine() is { } line)
            {
                lock (tail)
                {
                    tail.Enqueue(line);
                    if (tail.Count > 5)
                    {
                        tail.Dequeue();
                    }
                }
                if (!header.Task.IsCompleted && line.Contains("Video:", StringComparison.Ordinal) && SizePattern().Match(line) is { Success: true } size)
                {
                    var fps = FpsPattern().Match(line) is { Success: true } rate ? double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture) : defaultFps;
                    header.TrySetResult((int.Parse(size.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(size.Groups[2].Value, CultureInfo.InvariantCulture), fps is > 0 and < 1000 ? fps : defaultFps));
                }
            }
        }
        try
        {
            var (width, height, fps) = header.Task.Wait(timeout) ? header.Task.Result : throw new TimeoutException();
            return new FfmpegProcessReader(process, width, height, fps);
        }
        catch (Exception e) when (e is TimeoutException or AggregateException)
        {
            lock (tail)
            {
                var exit = process.HasExited ? $"ffmpeg exited with {process.ExitCode}" : $"no video stream reported within {timeout.TotalSeconds:0.#} s";
                log?.Invoke(tail.Count > 0 ? $"{exit}: {string.Join(" | ", tail)}" : exit);
            }
            Stop(process);
            return null;
        }
    }

    public override bool Read(Mat frame, out TimeSpan mediaTime)
    {
        mediaTime = TimeSpan.FromSeconds(_index / _fps);
        var filled = 0;
        while (filled < _buffer.Length)
        {
            var read = _stdout.Read(_buffer, filled, _buffer.Length - filled);
            if (read == 0)
            {
                return false;
            }
            filled += read;
        }
        frame.Create(_height, _width, MatType.CV_8UC3);
        Marshal.Copy(_buffer, 0, frame.Data, _buffer.Length);
        _index++;
        return true;
    }

    public override void Dispose() => Stop(_process);

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(2000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }

    [GeneratedRegex(@"[ ,](\d{2,5})x(\d{2,5})[ ,\[]")]
    private static partial Regex SizePattern();

    [GeneratedRegex(@"([\d.]+) fps")]
    private static partial Regex FpsPattern();
}
