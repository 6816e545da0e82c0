namespace StreamSeq.Media.Stages;

/// <summary>Converts frames to 8-bit gray.</summary>
[Stage("video.grayscale", Description = "Converts frames to 8-bit grayscale", Stateless = true)]
public sealed class GrayscaleStage : MapStage<VideoFrame, VideoFrame>
{
    public override VideoFrame Map(in Packet<VideoFrame> input) => input.Payload.With(FrameConversions.ToGray(input.Payload.Image));
}
