namespace StreamSeq.Stages;

/// <summary>Consumes and discards packets (benchmarks, pipelines run for their side effects or stats).</summary>
/// <typeparam name="T">The payload type; generic so plain values reach it without boxing.</typeparam>
[Stage("sink.null", Description = "Discards packets (benchmarks; stats still count them)")]
public sealed class NullSink<T> : SinkStage<T>
{
    public override ValueTask ConsumeAsync(Packet<T> input, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
