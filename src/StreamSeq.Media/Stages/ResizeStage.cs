using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using OpenCvSharp;

namespace StreamSeq.Media.Stages;

/// <summary>Interpolation used when resizing.</summary>
public enum Interpolation
{
    /// <summary>Pixel-area averaging: best for shrinking.</summary>
    Area,

    /// <summary>Bilinear.</summary>
    Linear,

    /// <summary>Nearest neighbour: keeps labels and masks exact.</summary>
    Nearest,

    /// <summary>Bicubic: best for enlarging.</summary>
    Cubic,
}

/// <summary>Options of <c>video.resize</c>.</summary>
public sealed class ResizeOptions : IValidatableObject
{
    [Description("Target width (0: derived from height, keeping the aspect ratio)")]
    [Range(0, 16384)]
    public int Width { get; init; }

    [Description("Target height (0: derived from width, keeping the aspect ratio)")]
    [Range(0, 16384)]
    public int Height { get; init; }

    [Description("How pixels are interpolated")]
    public Interpolation Interpolation { get; init; } = Interpolation.Area;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Width == 0 && Height == 0)
        {
            yield return new ValidationResult("give 'width', 'height' or both", [nameof(Width)]);
        }
    }
}

/// <summary>Resizes frames.</summary>
[Stage("video.resize", Description = "Resizes frames to width×height (one side alone keeps the aspect ratio)", Stateless = true)]
public sealed class ResizeStage : MapStage<VideoFrame, VideoFrame>
{
    private readonly ResizeOptions _options;

    public ResizeStage(ResizeOptions options) => _options = options;

    internal static InterpolationFlags ToFlags(Interpolation interpolation) => interpolation switch
    {
        Interpolation.Linear => InterpolationFlags.Linear,
        Interpolation.Nearest => InterpolationFlags.Nearest,
        Interpolation.Cubic => InterpolationFlags.Cubic,
        _ => InterpolationFlags.Area,
    };

    public override VideoFrame Map(in Packet<VideoFrame> input)
        => input.Payload.With(FrameConversions.Prepare(input.Payload.Image, _options.Width, _options.Height, grayscale: false, ToFlags(_options.Interpolation)));
}
