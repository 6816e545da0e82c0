using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using OpenCvSharp;

namespace StreamSeq.Media.Stages;

/// <summary>Options of <c>video.normalize</c>.</summary>
public sealed class NormalizeOptions
{
    [Description("Subtracted after scaling pixels to 0..1")]
    [Range(-1000, 1000)]
    public double Mean { get; init; }

    [Description("Divides after subtracting the mean")]
    [Range(1e-6, 1000)]
    public double Std { get; init; } = 1;
}

/// <summary>Converts 8-bit frames to 32-bit float: (pixel / 255 − mean) / std, the input convention of the models.</summary>
[Stage("video.normalize", Description = "Converts frames to float32: (pixel/255 - mean) / std", Stateless = true)]
public sealed class NormalizeStage : MapStage<VideoFrame, VideoFrame>
{
    private readonly NormalizeOptions _options;

    public NormalizeStage(NormalizeOptions options) => _options = options;

    public override VideoFrame Map(in Packet<VideoFrame> input)
    {
        var image = input.Payload.Image;
        var scale = image.Depth() == MatType.CV_8U ? 1 / 255.0 : 1.0;
        var result = new Mat();
        image.ConvertTo(result, MatType.CV_32F, scale / _options.Std, -_options.Mean / _options.Std);
        return input.Payload.With(result);
    }
}
