using System.Collections.Concurrent;
using StreamSeq.Audio.Vad;

namespace StreamSeq.Cli.Bench;

/// <summary>
/// <c>bench.partial-latency</c>, used only by <c>bench audio</c>: records how long after the end of its audio
/// (in media time, which a realtime source keeps level with the wall clock) each utterance event arrived.
/// </summary>
[Stage("bench.partial-latency")]
internal sealed class PartialLatencySink : SinkStage<UtteranceEvent>
{
    public static ConcurrentQueue<(UtteranceEventKind Kind, double LagMs)> Lags { get; } = new();

    public override ValueTask ConsumeAsync(Packet<UtteranceEvent> input, CancellationToken cancellationToken)
    {
        Lags.Enqueue((input.Payload.Kind, (DateTime.UtcNow - input.Payload.EndTime).TotalMilliseconds));
        return ValueTask.CompletedTask;
    }
}
