namespace StreamSeq.Media;

/// <summary>
/// Two consecutive frames of one stream, each held by one packet share, so optical flow can be computed as a
/// stateless map over pairs (several pairs at once on several cores). Disposing the pair releases both shares.
/// </summary>
public sealed class FramePair : IDisposable
{
    private int _disposed;

    /// <summary>Takes over one share of each packet.</summary>
    public FramePair(Packet<VideoFrame> previous, Packet<VideoFrame> current)
    {
        PreviousPacket = previous;
        CurrentPacket = current;
    }

    internal Packet<VideoFrame> PreviousPacket { get; }

    internal Packet<VideoFrame> CurrentPacket { get; }

    /// <summary>The earlier frame.</summary>
    public VideoFrame Previous => PreviousPacket.Payload;

    /// <summary>The later frame.</summary>
    public VideoFrame Current => CurrentPacket.Payload;

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        PreviousPacket.Release();
        CurrentPacket.Release();
    }

    /// <inheritdoc />
    public override string ToString() => $"pair {Previous.Index}->{Current.Index}";
}
