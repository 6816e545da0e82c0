using System.Text.Json.Serialization;
using OpenCvSharp;

namespace StreamSeq.Media;

/// <summary>
/// A frame with the dense optical flow that leads to it from the previous frame: <see cref="Flow"/> is a
/// two-channel float field (dx, dy in pixels per frame) of the frame's size. Owns both.
/// </summary>
public sealed class FlowFrame : VideoFrame
{
    /// <summary>Takes ownership of <paramref name="image"/>, <paramref name="flow"/> and <paramref name="visual"/>.</summary>
    public FlowFrame(Mat image, Mat flow, TimeSpan mediaTime, long index, FlowStatistics statistics, Mat? visual = null)
        : base(image, mediaTime, index)
    {
        Flow = flow;
        Statistics = statistics;
        Visual = visual;
    }

    /// <summary>The flow field, CV_32FC2.</summary>
    [JsonIgnore]
    public Mat Flow { get; }

    /// <summary>The flow drawn on the HSV colour wheel (hue = direction, value = magnitude), BGR, if asked for.</summary>
    [JsonIgnore]
    public Mat? Visual { get; }

    /// <summary>Magnitude statistics of the field.</summary>
    public FlowStatistics Statistics { get; }

    /// <inheritdoc />
    protected override void DisposeResources()
    {
        Flow.Dispose();
        Visual?.Dispose();
    }
}

/// <summary>Summary of a flow field, in pixels per frame.</summary>
/// <param name="MeanMagnitude">Mean length of the flow vectors.</param>
/// <param name="MaxMagnitude">Largest length.</param>
/// <param name="MeanDx">Mean horizontal component (positive: rightwards).</param>
/// <param name="MeanDy">Mean vertical component (positive: downwards).</param>
/// <param name="MovingFraction">Share of pixels moving faster than the stage's threshold.</param>
public sealed record FlowStatistics(double MeanMagnitude, double MaxMagnitude, double MeanDx, double MeanDy, double MovingFraction);
