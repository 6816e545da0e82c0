using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using OpenCvSharp;

namespace StreamSeq.Media.Stages;

/// <summary>Options of <c>video.crop</c>.</summary>
public sealed class CropOptions
{
    [Description("Left edge of the region, in pixels")]
    [Range(0, 16384)]
    public int X { get; init; }

    [Description("Top edge of the region, in pixels")]
    [Range(0, 16384)]
    public int Y { get; init; }

    [Description("Width of the region")]
    [RequiredOption]
    [Range(1, 16384)]
    public int Width { get; init; }

    [Description("Height of the region")]
    [RequiredOption]
    [Range(1, 16384)]
    public int Height { get; init; }
}

/// <summary>Cuts a fixed region of interest out of each frame (a copy: the region outlives the frame).</summary>
[Stage("video.crop", Description = "Cuts a fixed region of interest (x, y, width, height) out of each frame", Stateless = true)]
public sealed class CropStage : MapStage<VideoFrame, VideoFrame>
{
    private readonly CropOptions _options;

    public CropStage(CropOptions options) => _options = options;

    public override VideoFrame Map(in Packet<VideoFrame> input)
    {
        var frame = input.Payload;
        var region = new Rect(_options.X, _options.Y, _options.Width, _options.Height);
        if (region.Right > frame.Width || region.Bottom > frame.Height)
        {
            throw new InvalidDataException($"crop region {region.X},{region.Y} {region.Width}x{region.Height} does not fit in a {frame.Width}x{frame.Height} frame");
        }
        using var view = new Mat(frame.Image, region);
        return frame.With(view.Clone());
    }
}
