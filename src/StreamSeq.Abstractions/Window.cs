using System.Text.Json.Serialization;

namespace StreamSeq;

/// <summary>
/// A window of consecutive packets of one stream, as made by <c>window.sliding</c> and <c>window.tumbling</c>.
/// The window holds one share of each member packet; disposing it (the engine does when its last consumer
/// is done) releases them, so members' payloads and acknowledgements live exactly as long as the window.
/// </summary>
/// <typeparam name="T">The payload type of the members.</typeparam>
public sealed class Window<T> : IDisposable
{
    private readonly Packet<T>[] _packets;
    private int _disposed;

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

    /// <summary>Releases the members. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        foreach (var packet in _packets)
        {
            packet.Release();
        }
    }
}
