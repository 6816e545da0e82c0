using OpenCvSharp;
using StreamSeq.Media;

namespace StreamSeq.Actions.Model;

/// <summary>
/// Turns frames and flow fields into the networks' inputs, the same way in training and in the pipeline:
/// frames become gray <see cref="Side"/>² planes scaled to about zero mean, flow fields are shrunk to the
/// same grid with their vectors rescaled to grid pixels, so the temporal stream sees the same speeds
/// whatever the resolution the flow was computed at.
/// </summary>
public static class ClipFeatures
{
    /// <summary>Side of the square grid both streams see.</summary>
    public const int Side = 32;

    public const int PlaneSize = Side * Side;

    private const float PixelMean = 0.25f;
    private const float PixelStd = 0.3f;
    private const float FlowScale = 1 / 1.5f;
    private const float FlowClip = 6f;

    /// <summary>Writes one frame's spatial input (<see cref="PlaneSize"/> floats) into <paramref name="destination"/>.</summary>
    public static unsafe void Spatial(Mat image, Span<float> destination)
    {
        using var gray = FrameConversions.ToGray(image);
        using var small = new Mat();
        Cv2.Resize(gray, small, new Size(Side, Side), 0, 0, InterpolationFlags.Area);
        for (var y = 0; y < Side; y++)
        {
            var row = (byte*)small.Ptr(y);
            for (var x = 0; x < Side; x++)
            {
                destination[(y * Side) + x] = ((row[x] / 255f) - PixelMean) / PixelStd;
            }
        }
    }

    /// <summary>Writes one flow field's temporal input (dx plane, then dy plane: 2×<see cref="PlaneSize"/> floats).</summary>
    public static unsafe void Temporal(Mat flow, Span<float> destination)
    {
        using var small = new Mat();
        Cv2.Resize(flow, small, new Size(Side, Side), 0, 0, InterpolationFlags.Area);
        var toGrid = (float)Side / flow.Width * FlowScale;
        for (var y = 0; y < Side; y++)
        {
            var row = (float*)small.Ptr(y);
            for (var x = 0; x < Side; x++)
            {
                destination[(y * Side) + x] = Math.Clamp(row[2 * x] * toGrid, -FlowClip, FlowClip);
                destination[PlaneSize + (y * Side) + x] = Math.Clamp(row[(2 * x) + 1] * toGrid, -FlowClip, FlowClip);
            }
        }
    }
}

/// <summary>One clip ready for the networks: per-frame spatial planes and per-step flow planes.</summary>
/// <param name="Frames">Frame count T; <see cref="Spatial"/> holds T planes.</param>
/// <param name="Spatial">T × <see cref="ClipFeatures.PlaneSize"/> floats.</param>
/// <param name="Temporal">(T−1) × 2 × <see cref="ClipFeatures.PlaneSize"/> floats: the flow into frames 1..T−1.</param>
/// <param name="Start">Media time of the first frame, seconds.</param>
/// <param name="End">Media time of the last frame, seconds.</param>
public sealed record ClipTensors(int Frames, float[] Spatial, float[] Temporal, double Start, double End)
{
    private float[]? _global;

    public int Flows => Frames - 1;

    /// <summary>
    /// The camera's share of each flow field (<see cref="GlobalMotion"/>), laid out as <see cref="Temporal"/>;
    /// computed on first use (two threads may both compute it; the answers are equal).
    /// </summary>
    public float[] Global => _global ??= GlobalMotion.Planes(Temporal, Flows, ClipFeatures.Side);

    /// <summary>Builds a clip from decoded frames: computes the flow between consecutive ones (the given options, Farneback by default).</summary>
    public static ClipTensors FromFrames(IReadOnlyList<VideoFrame> frames, Media.Stages.OpticalFlowOptions flowOptions)
    {
        if (frames.Count < 2)
        {
            throw new InvalidDataException($"a clip needs at least 2 frames, got {frames.Count}");
        }
        var spatial = new float[frames.Count * ClipFeatures.PlaneSize];
        var temporal = new float[(frames.Count - 1) * 2 * ClipFeatures.PlaneSize];
        for (var t = 0; t < frames.Count; t++)
        {
            ClipFeatures.Spatial(frames[t].Image, spatial.AsSpan(t * ClipFeatures.PlaneSize, ClipFeatures.PlaneSize));
            if (t > 0)
            {
                using var flow = Media.Stages.OpticalFlowStage.Compute(frames[t - 1], frames[t], flowOptions);
                ClipFeatures.Temporal(flow.Flow, temporal.AsSpan((t - 1) * 2 * ClipFeatures.PlaneSize, 2 * ClipFeatures.PlaneSize));
            }
        }
        return new ClipTensors(frames.Count, spatial, temporal, frames[0].MediaTime.TotalSeconds, frames[^1].MediaTime.TotalSeconds);
    }

    /// <summary>Builds a clip from frames that already carry their flow (the pipeline's <c>video.opticalflow</c> output).</summary>
    public static ClipTensors FromFlowFrames(IReadOnlyList<FlowFrame> frames)
    {
        // Each flow frame is a frame plus the flow into it: T frames give T flows, the first of which leads
        // into the window from outside it, which is motion all the same.
        if (frames.Count == 0)
        {
            throw new InvalidDataException("a clip needs at least one flow frame");
        }
        var spatial = new float[frames.Count * ClipFeatures.PlaneSize];
        var temporal = new float[frames.Count * 2 * ClipFeatures.PlaneSize];
        for (var t = 0; t < frames.Count; t++)
        {
            ClipFeatures.Spatial(frames[t].Image, spatial.AsSpan(t * ClipFeatures.PlaneSize, ClipFeatures.PlaneSize));
            ClipFeatures.Temporal(frames[t].Flow, temporal.AsSpan(t * 2 * ClipFeatures.PlaneSize, 2 * ClipFeatures.PlaneSize));
        }
        return new ClipTensors(frames.Count + 1, Prepend(spatial), temporal, frames[0].MediaTime.TotalSeconds, frames[^1].MediaTime.TotalSeconds);
    }

    // FromFlowFrames has T frames and T flows; repeating the first frame's plane keeps the "T frames, T−1
    // flows" shape that the rest of the code expects without inventing pixels.
    private static float[] Prepend(float[] spatial)
    {
        var result = new float[spatial.Length + ClipFeatures.PlaneSize];
        spatial.AsSpan(0, ClipFeatures.PlaneSize).CopyTo(result);
        spatial.CopyTo(result, ClipFeatures.PlaneSize);
        return result;
    }
}
