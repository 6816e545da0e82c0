using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using OpenCvSharp;
using OpenCvSharp.OptFlow;

namespace StreamSeq.Media.Stages;

/// <summary>
/// Dense optical flow algorithms that work in this OpenCV build. DIS is not exposed by the wrapper, and
/// Dual TV-L1 (<c>DenseOpticalFlowExt.CreateDualTVL1</c>) is exposed but crashes the process (SIGSEGV in
/// <c>Calc</c>, OpenCvSharp 4.13.0.20260627), so neither is offered.
/// </summary>
public enum FlowMethod
{
    /// <summary>Gunnar Farnebäck's polynomial expansion: smooth, accurate on textured motion, the default.</summary>
    Farneback,

    /// <summary>Sparse Lucas-Kanade on a grid, interpolated to a dense field (edge-aware): fast, coarser.</summary>
    SparseToDense,
}

/// <summary>Options of <c>video.opticalflow</c>.</summary>
public sealed class OpticalFlowOptions : IValidatableObject
{
    [Description("Algorithm: farneback or sparse-to-dense")]
    public FlowMethod Method { get; init; } = FlowMethod.Farneback;

    [Description("Farneback: scale between pyramid levels (< 1)")]
    [Range(0.1, 0.95)]
    public double PyramidScale { get; init; } = 0.5;

    [Description("Farneback: pyramid levels")]
    [Range(1, 10)]
    public int Levels { get; init; } = 3;

    [Description("Farneback: averaging window size (larger: smoother, tolerates more noise)")]
    [Range(3, 101)]
    public int WindowSize { get; init; } = 15;

    [Description("Farneback: iterations per pyramid level")]
    [Range(1, 50)]
    public int Iterations { get; init; } = 3;

    [Description("Farneback: pixel neighbourhood of the polynomial expansion (5 or 7)")]
    [Range(5, 7)]
    public int PolyN { get; init; } = 5;

    [Description("Farneback: Gaussian sigma of the polynomial expansion (1.1 for polyN 5, 1.5 for 7)")]
    [Range(0.5, 3)]
    public double PolySigma { get; init; } = 1.2;

    [Description("Sparse-to-dense: grid step between tracked points")]
    [Range(1, 64)]
    public int GridStep { get; init; } = 8;

    [Description("Pixels moving faster than this (pixels/frame) count as moving in the statistics")]
    [Range(0, 1000)]
    public double MotionThreshold { get; init; } = 0.5;

    [Description("Also draw the field on the HSV colour wheel (hue: direction, brightness: speed) for display sinks")]
    public bool Visualize { get; init; }

    [Description("Speed (pixels/frame) drawn at full brightness in the visualisation")]
    [Range(0.01, 1000)]
    public double VisualMaxMagnitude { get; init; } = 8;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (WindowSize % 2 == 0)
        {
            yield return new ValidationResult("'windowSize' must be odd", [nameof(WindowSize)]);
        }
        if (PolyN is not (5 or 7))
        {
            yield return new ValidationResult("'polyN' is 5 or 7", [nameof(PolyN)]);
        }
    }
}

/// <summary>
/// Dense optical flow from each frame pair's earlier frame to its later one. Stateless, so
/// <c>"parallelism": 2</c> runs pairs on two cores (Farneback uses one core per call). Pairs whose frames
/// differ in size are an error for that pair, handled by the stage's <c>onError</c> policy.
/// </summary>
[Stage("video.opticalflow", Description = "Dense optical flow per frame pair (farneback, sparse-to-dense), with statistics and an optional HSV visualisation", Stateless = true)]
public sealed class OpticalFlowStage : MapStage<FramePair, FlowFrame>
{
    private readonly OpticalFlowOptions _options;

    public OpticalFlowStage(OpticalFlowOptions options) => _options = options;

    public override FlowFrame Map(in Packet<FramePair> input)
    {
        var pair = input.Payload;
        return Compute(pair.Previous, pair.Current, _options);
    }

    /// <summary>The flow from <paramref name="previous"/> to <paramref name="current"/>; the result owns copies of what it keeps.</summary>
    public static FlowFrame Compute(VideoFrame previous, VideoFrame current, OpticalFlowOptions options)
    {
        if (previous.Width != current.Width || previous.Height != current.Height)
        {
            throw new InvalidDataException($"frames {previous.Index} ({previous.Width}x{previous.Height}) and {current.Index} ({current.Width}x{current.Height}) differ in size; optical flow needs equal sizes");
        }
        using var from = FrameConversions.ToGray(previous.Image);
        using var to = FrameConversions.ToGray(current.Image);
        var flow = new Mat();
        Mat? visual = null;
        Mat? image = null;
        try
        {
            switch (options.Method)
            {
                case FlowMethod.SparseToDense:
                    CvOptFlow.CalcOpticalFlowSparseToDense(from, to, flow, options.GridStep);
                    break;
                default:
                    Cv2.CalcOpticalFlowFarneback(from, to, flow, options.PyramidScale, options.Levels, options.WindowSize,
                        options.Iterations, options.PolyN, options.PolySigma, OpticalFlowFlags.None);
                    break;
            }
            var statistics = FlowMath.Statistics(flow, options.MotionThreshold);
            if (options.Visualize)
            {
                visual = FlowMath.Visualize(flow, options.VisualMaxMagnitude);
            }
            image = current.Image.Clone();
            return new FlowFrame(image, flow, current.MediaTime, current.Index, statistics, visual) { SourceFps = current.SourceFps };
        }
        catch
        {
            flow.Dispose();
            visual?.Dispose();
            image?.Dispose();
            throw;
        }
    }
}
