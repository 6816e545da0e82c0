using System.Reactive.Concurrency;

namespace StreamSeq;

/// <summary>
/// A stage whose logic is an Rx query (time windows, throttling, sampling, merging). Rx has no
/// back-pressure, so the engine feeds the query from bounded channels and stops reading while the query's
/// output waits for room downstream.
/// </summary>
/// <remarks>
/// Ownership: the engine holds one share of each input packet only while <c>OnNext</c> runs. An operator
/// that keeps a packet longer (a window, a sample) must <see cref="Packet{T}.Retain"/> it, and release it
/// when it lets go. Each packet the query emits hands one share to the engine. When the subscription is
/// disposed (shutdown, restart), the query must release what it still holds.
/// </remarks>
/// <typeparam name="TIn">The input payload type.</typeparam>
/// <typeparam name="TOut">The output payload type.</typeparam>
public abstract class RxStage<TIn, TOut> : Stage
{
    /// <summary>Builds the query over the input streams (one per input port, in file order).</summary>
    /// <param name="inputs">The input streams.</param>
    /// <param name="scheduler">The clock for time-based operators; virtual in tests.</param>
    public abstract IObservable<Packet<TOut>> Build(IReadOnlyList<IObservable<Packet<TIn>>> inputs, IScheduler scheduler);
}
