namespace StreamSeq.Media.Stages;

/// <summary>
/// Pairs each frame with the one before it (1,2), (2,3), … so that motion (<c>video.opticalflow</c>) can be
/// computed pair by pair on several cores. Frames are shared, not copied: each is held by the two pairs it
/// belongs to and freed when both are done.
/// </summary>
[Stage("video.pairs", Description = "Consecutive frame pairs (previous, current) for stateless, parallel optical flow")]
public sealed class FramePairsStage : TransformStage<VideoFrame, FramePair>
{
    private Packet<VideoFrame>? _previous;

    public override async ValueTask ProcessAsync(Packet<VideoFrame> input, Emitter<FramePair> output, CancellationToken cancellationToken)
    {
        var previous = _previous;
        // One share for the pair that ends here (below) and one kept for the pair that starts here.
        _previous = input.Retain();
        if (previous is { } held)
        {
            await output.EmitAsync(new FramePair(held, input.Retain()), cancellationToken).ConfigureAwait(false);
        }
    }

    public override ValueTask StopAsync()
    {
        _previous?.Release();
        _previous = null;
        return ValueTask.CompletedTask;
    }
}
