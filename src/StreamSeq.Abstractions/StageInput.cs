using System.Threading.Channels;

namespace StreamSeq;

/// <summary>One input port of a many-input stage, as handed to <see cref="MultiInputStage{TIn,TOut}.RunAsync"/>.</summary>
/// <typeparam name="T">The payload type of the port.</typeparam>
public sealed class StageInput<T>
{
    /// <summary>Creates an input port.</summary>
    public StageInput(string name, int index, ChannelReader<Packet<T>> reader)
    {
        Name = name;
        Index = index;
        Reader = reader;
    }

    /// <summary>The port name: the key in <c>"inputs": { .. }</c>, or the upstream id for a list.</summary>
    public string Name { get; }

    /// <summary>The position of the port in the pipeline file.</summary>
    public int Index { get; }

    /// <summary>The packets arriving on the port. Each read packet's share belongs to the stage.</summary>
    public ChannelReader<Packet<T>> Reader { get; }
}

/// <summary>
/// A stage that reads several inputs itself (joins, synchronisers). Declare it with
/// <see cref="StageAttribute.ManyInputs"/>. The stage owns one share of every packet it reads and must
/// release or forward each.
/// </summary>
/// <typeparam name="TIn">The payload type of the inputs (object accepts anything).</typeparam>
/// <typeparam name="TOut">The output payload type.</typeparam>
public abstract class MultiInputStage<TIn, TOut> : Stage
{
    /// <summary>Reads the inputs until they complete, emitting outputs.</summary>
    public abstract Task RunAsync(IReadOnlyList<StageInput<TIn>> inputs, Emitter<TOut> output, CancellationToken cancellationToken);
}
