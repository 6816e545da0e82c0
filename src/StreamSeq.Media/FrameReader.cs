using OpenCvSharp;
using StreamSeq.Ingest;

namespace StreamSeq.Media;

/// <summary>Decodes frames from one opened <see cref="MediaLocation"/>: a capture device, a stream, a file or images.</summary>
internal abstract class FrameReader : IDisposable
{
    /// <summary>
    /// Largest frame side accepted (pixels). A header declaring more (a corrupt or hostile file, a 30000×30000 still)
    /// is refused before the decoder allocates frames of gigabytes; 16384 covers 16K video and scanned pages.
    /// </summary>
    public const int MaxFrameSide = 16384;

    /// <summary>Time between frames at the media's rate.</summary>
    public abstract TimeSpan FrameInterval { get; }

    /// <summary>Frames per second at the media's rate (the reciprocal of <see cref="FrameInterval"/>, to the millihertz).</summary>
    public double Fps => Math.Round(1 / FrameInterval.TotalSeconds, 3);

    /// <summary>Decodes the next frame into <paramref name="frame"/>; false at the end or when the stream drops.</summary>
    public abstract bool Read(Mat frame, out TimeSpan mediaTime);

    public abstract void Dispose();

    /// <summary>Opens the location, or returns null when the decoder cannot (<paramref name="log"/> hears why, when known).</summary>
    public static FrameReader? Open(MediaLocation location, Stages.VideoSourceOptions options, Action<string>? log = null)
    {
        if (location.Kind == MediaKind.ImageSequence)
        {
            return new ImageSequenceReader(location.ImageFiles(), options.DefaultFps);
        }
        if (location.Kind == MediaKind.Network)
        {
            return FfmpegProcessReader.Open(location.Target, options.NetworkTimeout, options.DefaultFps, log);
        }
        VideoCapture capture;
        switch (location.Kind)
        {
            case MediaKind.Device:
                capture = new VideoCapture(location.DeviceIndex, VideoCaptureAPIs.V4L2);
                break;
            default:
                capture = new VideoCapture(location.Target, VideoCaptureAPIs.FFMPEG);
                break;
        }
        if (!capture.IsOpened())
        {
            capture.Dispose();
            return null;
        }
        if (capture.FrameWidth > MaxFrameSide || capture.FrameHeight > MaxFrameSide)
        {
            var (width, height) = (capture.FrameWidth, capture.FrameHeight);
            capture.Dispose();
            throw new IOException($"'{location.Target}' declares {width}x{height} frames, larger than the limit of {MaxFrameSide}x{MaxFrameSide}");
        }
        return new CaptureReader(capture, options.DefaultFps);
    }

    private sealed class CaptureReader : FrameReader
    {
        private readonly VideoCapture _capture;
        private readonly double _fps;
        private long _index;

        public CaptureReader(VideoCapture capture, double defaultFps)
        {
            _capture = capture;
            var fps = capture.Fps;
            _fps = fps is > 0 and < 1000 ? fps : defaultFps;
        }

        public override TimeSpan FrameInterval => TimeSpan.FromSeconds(1 / _fps);

        public override bool Read(Mat frame, out TimeSpan mediaTime)
        {
            // Frame index over the nominal rate: container timestamps are often missing or jumpy at the start.
            mediaTime = TimeSpan.FromSeconds(_index / _fps);
            if (!_capture.Read(frame) || frame.Empty())
            {
                return false;
            }
            _index++;
            return true;
        }

        public override void Dispose() => _capture.Dispose();
    }

    private sealed class ImageSequenceReader : FrameReader
    {
        private readonly IReadOnlyList<string> _files;
        private readonly double _fps;
        private int _next;

        public ImageSequenceReader(IReadOnlyList<string> files, double fps)
        {
            _files = files;
            _fps = fps;
        }

        public override TimeSpan FrameInterval => TimeSpan.FromSeconds(1 / _fps);

        public override bool Read(Mat frame, out TimeSpan mediaTime)
        {
            mediaTime = TimeSpan.FromSeconds(_next / _fps);
            if (_next >= _files.Count)
            {
                return false;
            }
            var path = _files[_next++];
            if (ImageHeader.TryRead(path) is { } declared && (declared.Width > MaxFrameSide || declared.Height > MaxFrameSide))
            {
                throw new IOException($"image '{path}' is {declared.Width}x{declared.Height}, larger than the limit of {MaxFrameSide}x{MaxFrameSide}");
            }
            using var image = Cv2.ImRead(path, ImreadModes.Unchanged);
            if (image.Empty())
            {
                throw new IOException($"image '{path}' cannot be decoded");
            }
            FrameConversions.ToBgrOrGray(image, frame);
            return true;
        }

        public override void Dispose()
        {
        }
    }
}
