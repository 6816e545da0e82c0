using System.Runtime.InteropServices;
using OpenCvSharp;
using StreamSeq.Ingest;

namespace StreamSeq.Media;

/// <summary>
/// Frames of a network stream decoded by the system's <c>ffmpeg</c> (<see cref="Ffmpeg.DecodeVideo"/>) into raw
/// BGR on a pipe. The FFmpeg linked into OpenCvSharp's runtime has no network protocols (no tcp, udp, http,
/// rtsp), so live URLs go through the ffmpeg that setup installs, which has them all.
/// </summary>
internal sealed class FfmpegProcessReader : FrameReader
{
    private readonly FfmpegProcess _process;
    private readonly int _width;
    private readonly int _height;
    private readonly byte[] _buffer;
    private readonly double _fps;
    private long _index;

    private FfmpegProcessReader(FfmpegProcess process, VideoStreamInfo stream, double fps)
    {
        _process = process;
        _width = stream.Width;
        _height = stream.Height;
        _fps = fps;
        _buffer = new byte[_width * _height * 3];
    }

    public override TimeSpan FrameInterval => TimeSpan.FromSeconds(1 / _fps);

    /// <summary>Starts ffmpeg on <paramref name="url"/> and waits (up to <paramref name="timeout"/>) for it to report the video's size; null when it cannot.</summary>
    public static FfmpegProcessReader? Open(string url, TimeSpan timeout, double defaultFps, Action<string>? log = null)
    {
        FfmpegProcess process;
        try
        {
            process = Ffmpeg.DecodeVideo(url, ioTimeout: timeout);
        }
        catch (FfmpegException e)
        {
            throw new IOException($"network video sources need the ffmpeg program: {e.Reason}", e);
        }
        var stream = process.VideoStream.Wait(timeout) ? process.VideoStream.Result : null;
        if (stream is null)
        {
            var exit = process.HasExited ? "ffmpeg exited" : $"no video stream reported within {timeout.TotalSeconds:0.#} s";
            log?.Invoke($"{exit}: {process.ErrorTail()}");
            process.Dispose();
            return null;
        }
        if (stream.Width > MaxFrameSide || stream.Height > MaxFrameSide)
        {
            process.Dispose();
            throw new IOException($"'{url}' declares {stream.Width}x{stream.Height} frames, larger than the limit of {MaxFrameSide}x{MaxFrameSide}");
        }
        return new FfmpegProcessReader(process, stream, stream.Fps ?? defaultFps);
    }

    public override bool Read(Mat frame, out TimeSpan mediaTime)
    {
        mediaTime = TimeSpan.FromSeconds(_index / _fps);
        var filled = 0;
        while (filled < _buffer.Length)
        {
            var read = _process.Output.Read(_buffer, filled, _buffer.Length - filled);
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

    public override void Dispose() => _process.Dispose();
}
