using System.Text.Json.Serialization;

namespace StreamSeq;

/// <summary>
/// A window of consecutive packets of one stream, as made by <c>window.sliding</c> and <c>window.tumbling</c>.
/// The window holds one share of each member packet. The packet that carries a window carries an
/// acknowledgement whose settling calls <see cref="ReleaseMembers"/>: members (their payloads and their own
/// acknowledgements) live until the window and everything computed from it have been handled, and learn how
/// that ended (completed, dropped, failed).
/// </summary>
/// <typeparam name="T">The payload type of the members.</typeparam>
public sealed class Window<T>
{
    private readonly Packet<T>[] _packets;
    private int _released;

    /// <summary>Creates a window that takes over one share of each packet.</summary>
    public Window(Packet<T>[] packets, DateTime start, DateTime end)
    {
        _packets = packets;
        Start = start;
        End = end;
    }

    /// <summary>The originating time the window starts at (inclusive).</summary>
    public DateTime Start { get; }

    /// <summary>The originating time the window ends at (exclusive for time windows; last member for count windows).</summary>
    public DateTime End { get; }

    /// <summary>The number of members.</summary>
    public int Count => _packets.Length;

    /// <summary>The members' payloads in order.</summary>
    public IEnumerable<T> Items => _packets.Select(p => p.Payload);

    /// <summary>The member packets in order (valid until the window is disposed).</summary>
    [JsonIgnore]
    public IReadOnlyList<Packet<T>> Packets => _packets;

    /// <summary>Releases the members with <paramref name="outcome"/>. Idempotent.</summary>
    public void ReleaseMembers(AckOutcome outcome)
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }
        foreach (var packet in _packets)
        {
            packet.Release(outcome);
        }
    }

    /// <summary>
    /// The packet that carries this window: its acknowledgement releases the members when everything
    /// derived from the window has been handled. The caller owns the packet's one share.
    /// </summary>
    public Packet<Window<T>> ToPacket(DateTime originatingTime, long sequence, string streamId)
        => new(this, originatingTime, sequence, streamId, Lease.Create(this, new AckToken(ReleaseMembers)));
}
