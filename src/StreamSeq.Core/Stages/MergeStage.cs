using System.Reactive.Concurrency;
using System.Reactive.Linq;

namespace StreamSeq.Stages;

/// <summary>
/// Interleaves several streams of one payload type in arrival order; packets keep their own stream id,
/// sequence and originating time. Use <c>join</c> to align streams by time instead.
/// </summary>
/// <typeparam name="T">The payload type (a common type of the inputs).</typeparam>
[Stage("merge", Description = "Interleaves several streams in arrival order (packets keep their stream id and time)", ManyInputs = true)]
public sealed class MergeStage<T> : RxStage<T, T>
{
    public override IObservable<Packet<T>> Build(IReadOnlyList<IObservable<Packet<T>>> inputs, IScheduler scheduler)
        => inputs.Merge().Select(packet => packet.Retain());
}
