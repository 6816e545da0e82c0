namespace StreamSeq;

/// <summary>
/// Shared ownership of one packet: its disposable payload (a Mat, a Tensor) and one share of its
/// acknowledgement. Every holder of the packet owns one share; the engine releases the share of a packet a
/// stage was handed once the stage returns, so a stage that keeps a packet longer calls
/// <see cref="Packet{T}.Retain"/> and later <see cref="Packet{T}.Release"/>. When the last share goes, the
/// payload is disposed and the acknowledgement share is released with the worst outcome seen.
/// </summary>
/// <remarks>Packets whose payload is not disposable and which carry no acknowledgement have no lease at all,
/// so plain data costs nothing.</remarks>
public sealed class Lease
{
    private int _shares = 1;
    private int _worst;

    private Lease(IDisposable? payload, AckToken? ack)
    {
        Payload = payload;
        Ack = ack;
    }

    /// <summary>The payload disposed when the last share is released, if it is disposable.</summary>
    public IDisposable? Payload { get; }

    /// <summary>The acknowledgement share this lease holds, if the packet descends from a durable source.</summary>
    public AckToken? Ack { get; }

    /// <summary>Current number of shares (for diagnostics and tests).</summary>
    public int Shares => Volatile.Read(ref _shares);

    /// <summary>
    /// Creates a lease when one is needed: for a disposable payload, or to carry an acknowledgement share
    /// (which the new lease takes over). Returns null otherwise.
    /// </summary>
    public static Lease? Create<T>(T payload, AckToken? ack)
    {
        // Value types never own native memory here and must not be boxed on the hot path.
        var disposable = PayloadTraits<T>.MayOwnResources ? payload as IDisposable : null;
        return disposable is null && ack is null ? null : new Lease(disposable, ack);
    }

    /// <summary>Whether payloads of a type can be disposable, decided once per type.</summary>
    private static class PayloadTraits<T>
    {
        public static readonly bool MayOwnResources = !typeof(T).IsValueType
            && (!typeof(T).IsSealed || typeof(IDisposable).IsAssignableFrom(typeof(T)));
    }

    /// <summary>Adds <paramref name="count"/> shares.</summary>
    public void Retain(int count = 1)
    {
        if (count <= 0)
        {
            return;
        }
        if (Interlocked.Add(ref _shares, count) <= count)
        {
            throw new InvalidOperationException("The packet was already released; its payload may be disposed.");
        }
    }

    /// <summary>Releases one share.</summary>
    public void Release(AckOutcome outcome = AckOutcome.Completed)
    {
        AckToken.RecordWorst(ref _worst, (int)outcome);
        var left = Interlocked.Decrement(ref _shares);
        if (left > 0)
        {
            return;
        }
        if (left < 0)
        {
            throw new InvalidOperationException("A packet share was released twice.");
        }
        try
        {
            Payload?.Dispose();
        }
        catch (Exception e)
        {
            // Release runs where a throw cannot be handled (inside a channel's drop callback, an abort, the
            // tail of a stage loop): a payload that fails to dispose is reported, never thrown.
            DisposeFailed?.Invoke(Payload!, e);
        }
        Ack?.Release((AckOutcome)Volatile.Read(ref _worst));
    }

    /// <summary>
    /// Called when a payload's <see cref="IDisposable.Dispose"/> throws; the host logs it. Releasing never
    /// throws for it.
    /// </summary>
    public static event Action<IDisposable, Exception>? DisposeFailed;
}
