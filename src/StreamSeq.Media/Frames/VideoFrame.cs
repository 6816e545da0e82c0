using System.Text.Json.Serialization;
using OpenCvSharp;

namespace StreamSeq.Media;

/// <summary>
/// One decoded video frame. The frame owns its <see cref="Image"/> and releases it on <see cref="Dispose"/>,
/// which the engine calls when the last packet share holding the frame is released; stages never dispose
/// frames they were handed.
/// </summary>
public class VideoFrame : IDisposable
{
    private static long s_live;
    private int _disposed;

    /// <summary>Takes ownership of <paramref name="image"/>.</summary>
    public VideoFrame(Mat image, TimeSpan mediaTime, long index)
    {
        ArgumentNullException.ThrowIfNull(image);
        Image = image;
        MediaTime = mediaTime;
        Index = index;
        Interlocked.Increment(ref s_live);
    }

    /// <summary>Frames created and not yet disposed, process-wide: a leak check for tests and long runs.</summary>
    public static long Live => Interlocked.Read(ref s_live);

    /// <summary>The pixels (8-bit BGR or gray, or 32-bit float after <c>video.normalize</c>).</summary>
    [JsonIgnore]
    public Mat Image { get; }

    /// <summary>Position in the source's media, from its start (continues across loops).</summary>
    public TimeSpan MediaTime { get; }

    /// <summary>Frame number in the source (counting every decoded frame, skipped ones included).</summary>
    public long Index { get; }

    /// <summary>
    /// The source's nominal decoding rate: <see cref="Index"/> advances by this much per second of media (0 when
    /// unknown). A live stream's <see cref="MediaTime"/> is its arrival time, which bursts and jitters; this rate,
    /// over the index step between frames, is what a writer should play them back at.
    /// </summary>
    public double SourceFps { get; init; }

    /// <summary>Width in pixels.</summary>
    public int Width => Image.Width;

    /// <summary>Height in pixels.</summary>
    public int Height => Image.Height;

    /// <summary>Channels per pixel (1 gray, 3 BGR).</summary>
    public int Channels => Image.Channels();

    /// <summary>Whether the frame has been disposed (its pixels are gone).</summary>
    [JsonIgnore]
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>A new frame with the same times that owns <paramref name="image"/>.</summary>
    public VideoFrame With(Mat image) => new(image, MediaTime, Index) { SourceFps = SourceFps };

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        DisposeResources();
        Image.Dispose();
        Interlocked.Decrement(ref s_live);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what a subclass owns besides <see cref="Image"/>.</summary>
    protected virtual void DisposeResources()
    {
    }

    /// <inheritdoc />
    public override string ToString() => $"frame {Index} {Width}x{Height}x{Channels} @{MediaTime.TotalSeconds:0.###}s";
}
