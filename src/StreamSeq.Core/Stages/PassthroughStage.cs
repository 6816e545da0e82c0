namespace StreamSeq.Stages;

/// <summary>Forwards every packet unchanged: a tee point, a place to set a queue policy, a benchmark stage.</summary>
/// <typeparam name="T">The payload type.</typeparam>
[Stage("passthrough", Description = "Forwards packets unchanged (a point to set capacity/full policy, a benchmark stage)", Stateless = true)]
public sealed class PassthroughStage<T> : MapStage<T, T>
{
    public override T Map(in Packet<T> input) => input.Payload;
}
