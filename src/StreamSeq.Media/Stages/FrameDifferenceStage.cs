using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using OpenCvSharp;

namespace StreamSeq.Media.Stages;

/// <summary>Options of <c>video.diff</c>.</summary>
public sealed class FrameDifferenceOptions
{
    [Description("0: the absolute difference; above 0: a binary motion mask of pixels that changed by more than this (0..255)")]
    [Range(0, 255)]
    public double Threshold { get; init; }
}

/// <summary>
/// The absolute difference of each frame with the previous one (gray), or a binary motion mask: the
/// cheapest motion signal. The first frame has no predecessor and yields nothing.
/// </summary>
[Stage("video.diff", Description = "Absolute difference with the previous frame, or a motion mask above a threshold")]
public sealed class FrameDifferenceStage : TransformStage<VideoFrame, VideoFrame>
{
    private readonly FrameDifferenceOptions _options;
    private Mat? _previous;

    public FrameDifferenceStage(FrameDifferenceOptions options) => _options = options;

    public override async ValueTask ProcessAsync(Packet<VideoFrame> input, Emitter<VideoFrame> output, CancellationToken cancellationToken)
    {
        var gray = FrameConversions.ToGray(input.Payload.Image);
        var previous = _previous;
        _previous = gray;
        if (previous is null)
        {
            return;
        }
        using (previous)
        {
            if (previous.Size() != gray.Size())
            {
                throw new InvalidDataException($"frame {input.Payload.Index} is {gray.Width}x{gray.Height} but the previous one was {previous.Width}x{previous.Height}");
            }
            var difference = new Mat();
            Cv2.Absdiff(gray, previous, difference);
            if (_options.Threshold > 0)
            {
                Cv2.Threshold(difference, difference, _options.Threshold, 255, ThresholdTypes.Binary);
            }
            await output.EmitAsync(input.Payload.With(difference), cancellationToken).ConfigureAwait(false);
        }
    }

    public override ValueTask StopAsync()
    {
        _previous?.Dispose();
        _previous = null;
        return ValueTask.CompletedTask;
    }
}
