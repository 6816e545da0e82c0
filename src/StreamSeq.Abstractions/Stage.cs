namespace StreamSeq;

/// <summary>
/// The root of every stage. A stage is created from its options (constructor), acquires devices, files and
/// models in <see cref="StartAsync"/> and releases them in <see cref="StopAsync"/>, which the engine calls
/// exactly once per started instance, after success, failure or cancellation. A restart makes a new instance.
/// </summary>
public abstract class Stage
{
    /// <summary>Acquires resources. Runs before the first packet.</summary>
    public virtual ValueTask StartAsync(StageContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Releases resources. Must not throw for resources that were never acquired.</summary>
    public virtual ValueTask StopAsync() => ValueTask.CompletedTask;
}

/// <summary>A stage that produces packets: a file, a device, a generator, a broker.</summary>
/// <typeparam name="TOut">The payload type it emits.</typeparam>
public abstract class SourceStage<TOut> : Stage
{
    /// <summary>
    /// Produces packets until the source ends (the pipeline then completes) or <paramref name="cancellationToken"/>
    /// asks it to stop (a drain: return promptly, without throwing).
    /// </summary>
    public abstract Task RunAsync(Emitter<TOut> output, CancellationToken cancellationToken);
}

/// <summary>A stage that turns each input packet into zero, one or many output packets.</summary>
/// <typeparam name="TIn">The input payload type.</typeparam>
/// <typeparam name="TOut">The output payload type.</typeparam>
public abstract class TransformStage<TIn, TOut> : Stage
{
    /// <summary>Handles one packet. The engine releases the input's share when this returns.</summary>
    public abstract ValueTask ProcessAsync(Packet<TIn> input, Emitter<TOut> output, CancellationToken cancellationToken);

    /// <summary>Runs once after the input completed, to flush what the stage still holds.</summary>
    public virtual ValueTask CompleteAsync(Emitter<TOut> output, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>
/// A transform that maps each packet to exactly one output. The engine calls <see cref="Map"/> directly and,
/// for stages declared <see cref="StageAttribute.Stateless"/>, on several threads with output order preserved.
/// </summary>
/// <typeparam name="TIn">The input payload type.</typeparam>
/// <typeparam name="TOut">The output payload type.</typeparam>
public abstract class MapStage<TIn, TOut> : TransformStage<TIn, TOut>
{
    /// <summary>Computes the output payload for one packet.</summary>
    public abstract TOut Map(in Packet<TIn> input);

    /// <inheritdoc />
    public sealed override ValueTask ProcessAsync(Packet<TIn> input, Emitter<TOut> output, CancellationToken cancellationToken)
        => output.EmitAsync(Map(input), cancellationToken);
}

/// <summary>A stage that consumes packets: a file, the console, a broker, a display.</summary>
/// <typeparam name="TIn">The input payload type.</typeparam>
public abstract class SinkStage<TIn> : Stage
{
    /// <summary>Handles one packet. The engine releases the packet's share (and so may ack it) when this returns.</summary>
    public abstract ValueTask ConsumeAsync(Packet<TIn> input, CancellationToken cancellationToken);

    /// <summary>Runs once after the input completed, to flush buffered output.</summary>
    public virtual ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
