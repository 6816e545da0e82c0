namespace StreamSeq;

/// <summary>
/// The acknowledgement hook of a source packet: a reference count over every share of the packet and of
/// the packets derived from it. When the last share is released, <c>onSettled</c> runs once with the worst
/// outcome any share reported. Durable sources ack or nak their broker there; file sources record a position.
/// </summary>
/// <remarks>The callback runs on whichever thread released the last share and must not block.</remarks>
public sealed class AckToken
{
    private readonly Action<AckOutcome> _onSettled;
    private int _shares = 1;
    private int _worst;

    /// <summary>Creates a token holding one share, owned by the caller (normally handed to the first packet).</summary>
    public AckToken(Action<AckOutcome> onSettled)
    {
        ArgumentNullException.ThrowIfNull(onSettled);
        _onSettled = onSettled;
    }

    /// <summary>Whether the last share has been released.</summary>
    public bool IsSettled => Volatile.Read(ref _shares) <= 0;

    /// <summary>Adds one share and returns this token.</summary>
    public AckToken Retain()
    {
        if (Interlocked.Increment(ref _shares) <= 1)
        {
            throw new InvalidOperationException("The acknowledgement was already settled.");
        }
        return this;
    }

    /// <summary>Releases one share; the last release settles the token.</summary>
    public void Release(AckOutcome outcome)
    {
        RecordWorst(ref _worst, (int)outcome);
        var left = Interlocked.Decrement(ref _shares);
        if (left == 0)
        {
            try
            {
                _onSettled((AckOutcome)Volatile.Read(ref _worst));
            }
            catch (Exception e)
            {
                // Settling runs on whichever thread released last; a broker client's error must not surface there.
                SettleFailed?.Invoke(e);
            }
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("An acknowledgement share was released twice.");
        }
    }

    /// <summary>Called when an acknowledgement callback throws; the host logs it.</summary>
    public static event Action<Exception>? SettleFailed;

    internal static void RecordWorst(ref int slot, int value)
    {
        var seen = Volatile.Read(ref slot);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref slot, value, seen);
            if (previous == seen)
            {
                return;
            }
            seen = previous;
        }
    }
}
