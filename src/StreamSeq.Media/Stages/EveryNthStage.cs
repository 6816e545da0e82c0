using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace StreamSeq.Media.Stages;

/// <summary>Options of <c>video.every</c>.</summary>
public sealed class EveryNthOptions
{
    [Description("Keep one frame in this many")]
    [RequiredOption]
    [Range(1, 1_000_000)]
    public int N { get; init; }

    [Description("Which frame of each group of n to keep (0-based)")]
    [Range(0, 999_999)]
    public int Offset { get; init; }
}

/// <summary>Keeps every n-th frame (by arrival), dropping the rest: subsampling by count.</summary>
[Stage("video.every", Description = "Keeps every n-th frame (offset picks which), dropping the rest")]
public sealed class EveryNthStage : TransformStage<VideoFrame, VideoFrame>
{
    private readonly EveryNthOptions _options;
    private long _count;

    public EveryNthStage(EveryNthOptions options) => _options = options;

    public override ValueTask ProcessAsync(Packet<VideoFrame> input, Emitter<VideoFrame> output, CancellationToken cancellationToken)
        => _count++ % _options.N == _options.Offset % _options.N
            ? output.ForwardAsync(input.Retain(), cancellationToken)
            : ValueTask.CompletedTask;
}
